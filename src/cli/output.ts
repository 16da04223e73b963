/**
 * Terminal output: aligned tables and key/value blocks for people, JSON for scripts.
 * Commands hand over plain rows; how they look is decided here only.
 */

export type Cell = string | number | boolean | null | undefined;

/** Formats epoch milliseconds as local "YYYY-MM-DD HH:MM:SS"; empty for null. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "";
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "3m", "2h 5m", "4d 1h": coarse and short, for uptimes and ages. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

function cellText(value: Cell): string {
  if (value === null || value === undefined) return "";
  return String(value).replace(/\s+/g, " ");
}

/** Renders rows under a header, columns padded to their widest cell; long cells are cut with "…". */
export function renderTable(headers: string[], rows: Cell[][], maxCellWidth = 60): string {
  const text = rows.map((row) =>
    headers.map((_, i) => {
      const t = cellText(row[i]);
      return t.length > maxCellWidth ? `${t.slice(0, maxCellWidth - 1)}…` : t;
    }),
  );
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...text.map(line)].join("\n");
}

/** "key:  value" lines with the keys aligned. */
export function renderPairs(pairs: [string, Cell][]): string {
  const width = Math.max(...pairs.map(([k]) => k.length)) + 1;
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width)}  ${cellText(v)}`).join("\n");
}

export interface Output {
  /** True when --json was given: print one JSON document (or NDJSON for streams) and nothing else. */
  json: boolean;
  /** Human text to stdout (suppressed in --json mode). */
  say(text: string): void;
  /** A JSON value to stdout (only in --json mode). */
  data(value: unknown): void;
  /** Progress notes to stderr, so they never mix with stdout that a script reads. */
  progress(text: string): void;
  /** A table, or `emptyText` when there are no rows. */
  table(headers: string[], rows: Cell[][], emptyText: string): void;
}

export function createOutput(json: boolean, stdout: NodeJS.WritableStream = process.stdout, stderr: NodeJS.WritableStream = process.stderr): Output {
  return {
    json,
    say: (text) => {
      if (!json) stdout.write(`${text}\n`);
    },
    data: (value) => {
      if (json) stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    progress: (text) => {
      stderr.write(`${text}\n`);
    },
    table(headers, rows, emptyText) {
      if (json) return;
      stdout.write(`${rows.length ? renderTable(headers, rows) : emptyText}\n`);
    },
  };
}
