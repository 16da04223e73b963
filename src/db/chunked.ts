/** D1 binds at most 100 values per statement: multi-row inserts are cut to fit. */
const D1_MAX_BOUND_VALUES = 100;

/** `rows` in groups small enough for one insert of `columns` values each. */
export function chunked<T extends object>(rows: T[], columns: number): T[][] {
  const size = Math.max(1, Math.floor(D1_MAX_BOUND_VALUES / columns));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
