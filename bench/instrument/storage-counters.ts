/**
 * Counts the storage work a Worker does, for the bench's storage phase: every D1 statement
 * (single or in a batch), every round trip to D1, the rows D1 reports written and read (for
 * `raw()` and `first()` too, see countingStatement), and every Durable Object
 * storage call (SQL statements with the rows SQLite reports written, key-value and alarm calls).
 * It wraps the D1 bindings handed to the unchanged Worker code and patches each object's storage
 * instance; nothing else differs from a normal run.
 * The counters live in module scope: wrangler dev runs a Worker and its objects in one isolate.
 */

import type { StorageCounters } from "./counters-shape";

export type { StorageCounters };
/** Under /api/ because, with the dashboard served as static assets, only /api/* and /hooks/* reach the Worker first. */
export const COUNTERS_PATH = "/api/__bench/counters";

const counters: StorageCounters = {
  isolate: "",
  d1Statements: 0,
  d1Batches: 0,
  d1RoundTrips: 0,
  d1RowsWritten: 0,
  d1RowsRead: 0,
  doSqlStatements: 0,
  doSqlRowsWritten: 0,
  doSqlRowsRead: 0,
  doKvOperations: 0,
  doAlarmOperations: 0,
  rowsWrittenByTable: {},
  d1RowsReadByTable: {},
};

/** The table a writing statement names (INSERT INTO / REPLACE INTO / UPDATE / DELETE FROM), or "other". */
export function writtenTable(sql: string): string {
  const m = /^\s*(?:with\b[\s\S]*?\)\s*)?(?:insert(?:\s+or\s+\w+)?\s+into|replace\s+into|update(?:\s+or\s+\w+)?|delete\s+from)\s+[`"[]?(\w+)/i.exec(sql);
  return m?.[1] ?? "other";
}

/** The first table a statement reads (FROM, or the table an INSERT/UPDATE names), for rows read. */
export function readTable(sql: string): string {
  const m = /\bfrom\s+[`"[]?(\w+)/i.exec(sql);
  return m?.[1] ?? writtenTable(sql);
}

function addRowsWritten(store: "D1" | "DO", table: string, rows: number): void {
  if (rows <= 0) return;
  const key = `${store} ${table}`;
  counters.rowsWrittenByTable[key] = (counters.rowsWrittenByTable[key] ?? 0) + rows;
}

/** The SQL of each counting statement, to attribute its rows written. */
const statementSql = new WeakMap<object, string>();

type Method = (...args: unknown[]) => unknown;
type D1Meta = { rows_written?: number; rows_read?: number };

function addD1Meta(result: unknown, sql: string | undefined): void {
  const meta = (result as { meta?: D1Meta } | null)?.meta;
  counters.d1RowsWritten += meta?.rows_written ?? 0;
  counters.d1RowsRead += meta?.rows_read ?? 0;
  addRowsWritten("D1", writtenTable(sql ?? ""), meta?.rows_written ?? 0);
  const read = meta?.rows_read ?? 0;
  if (read > 0) {
    const table = readTable(sql ?? "");
    counters.d1RowsReadByTable[table] = (counters.d1RowsReadByTable[table] ?? 0) + read;
  }
}

/** The real object behind each counting proxy, so D1's batch() gets the statements it created. */
const targets = new WeakMap<object, object>();

/** A proxy that routes `wrapped` members through `hooks` and binds every other method to the target. */
function intercept<T extends object>(target: T, hooks: Record<string, (original: Method) => Method>): T {
  const proxy = new Proxy(target, {
    get(t, prop) {
      const value: unknown = Reflect.get(t, prop, t);
      if (typeof value !== "function") return value;
      const original = (value as Method).bind(t);
      const hook = typeof prop === "string" ? hooks[prop] : undefined;
      return hook ? hook(original) : original;
    },
  });
  targets.set(proxy, target);
  return proxy;
}

/**
 * `raw()` (drizzle's path for selects) and `first()` return no meta, so the rows D1 read for
 * them would go uncounted: the counting statement runs them as `all()`, which returns the same
 * rows with their meta, and hands back what `raw()` or `first()` would have returned.
 */
function countingStatement(statement: D1PreparedStatement, sql: string): D1PreparedStatement {
  const all = async (): Promise<D1Result<Record<string, unknown>>> => {
    counters.d1Statements++;
    counters.d1RoundTrips++;
    const result = await statement.all<Record<string, unknown>>();
    addD1Meta(result, sql);
    return result;
  };
  const proxy = intercept(statement, {
    bind:
      (original) =>
      (...args) =>
        countingStatement(original(...args) as D1PreparedStatement, sql),
    run: () => all,
    all: () => all,
    first: () => async (column?: unknown) => {
      const row = (await all()).results[0] ?? null;
      return typeof column === "string" ? (row?.[column] ?? null) : row;
    },
    raw: () => async (options?: unknown) => {
      const rows = (await all()).results;
      const values = rows.map((row) => Object.values(row));
      const withNames = (options as { columnNames?: boolean } | undefined)?.columnNames;
      return withNames ? [rows[0] ? Object.keys(rows[0]) : [], ...values] : values;
    },
  });
  statementSql.set(proxy, sql);
  return proxy;
}

export function countingD1(db: D1Database): D1Database {
  return intercept(db, {
    prepare:
      (original) =>
      (...args) =>
        countingStatement(original(...args) as D1PreparedStatement, String(args[0])),
    batch: (original) => async (statements) => {
      const list = statements as D1PreparedStatement[];
      counters.d1Batches++;
      counters.d1RoundTrips++;
      counters.d1Statements += list.length;
      const results = (await original(list.map((s) => targets.get(s) ?? s))) as unknown[];
      results.forEach((result, i) => addD1Meta(result, statementSql.get(list[i] as object)));
      return results;
    },
  });
}

/** Replaces `name` on this one instance (runtime objects must stay real: the runtime checks their type). */
function patch(target: object, name: string, hook: (original: Method) => Method): void {
  const original = (Reflect.get(target, name) as Method).bind(target);
  Object.defineProperty(target, name, { value: hook(original), configurable: true, writable: true });
}

const instrumented = new WeakSet<object>();

/** Makes this object's storage count its calls; the state itself must be handed on unchanged. */
export function instrumentState(state: DurableObjectState): void {
  const storage = state.storage;
  if (instrumented.has(storage)) return;
  instrumented.add(storage);
  const kv =
    (original: Method): Method =>
    (...args) => {
      counters.doKvOperations++;
      return original(...args);
    };
  const alarm =
    (original: Method): Method =>
    (...args) => {
      counters.doAlarmOperations++;
      return original(...args);
    };
  for (const name of ["get", "put", "delete", "list", "deleteAll"]) patch(storage, name, kv);
  for (const name of ["getAlarm", "setAlarm", "deleteAlarm"]) patch(storage, name, alarm);
  const sql = storage.sql;
  patch(sql, "exec", (original) => (...args) => {
    counters.doSqlStatements++;
    const cursor = original(...args) as SqlStorageCursor<Record<string, SqlStorageValue>>;
    // Writes run to completion inside exec(), so the count is final here.
    counters.doSqlRowsWritten += cursor.rowsWritten;
    addRowsWritten("DO", writtenTable(String(args[0])), cursor.rowsWritten);
    counters.doSqlRowsRead += cursor.rowsRead;
    return cursor;
  });
  // Pin the patched instances, in case the runtime hands out fresh wrappers on each access.
  Object.defineProperty(storage, "sql", { value: sql, configurable: true });
  Object.defineProperty(state, "storage", { value: storage, configurable: true });
}

const countingBindings = new WeakMap<object, D1Database>();

/** A copy of the Worker's env whose D1 bindings count their statements (the same counting binding each time, as the real one is). */
export function countingEnv<E extends object>(env: E): E {
  const copy: Record<string, unknown> = { ...(env as Record<string, unknown>) };
  for (const [key, value] of Object.entries(copy)) {
    const candidate = value as Partial<D1Database> | null;
    if (typeof candidate?.prepare !== "function" || typeof candidate.batch !== "function") continue;
    const binding = value as D1Database;
    let counting = countingBindings.get(binding);
    if (!counting) countingBindings.set(binding, (counting = countingD1(binding)));
    copy[key] = counting;
  }
  return copy as E;
}

export function readCounters(): StorageCounters {
  // Random values are not allowed at module scope in Workers, so the id is made on first read.
  counters.isolate ||= crypto.randomUUID();
  return { ...counters, rowsWrittenByTable: { ...counters.rowsWrittenByTable }, d1RowsReadByTable: { ...counters.d1RowsReadByTable } };
}
