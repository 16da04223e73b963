/**
 * Backups, SenderSession side: the object's own SQLite tables (inbox, inbox_seen, history, outbox, kv,
 * agent memory, container waits) dumped whole, and restored table by table. Generic over
 * sqlite_master, so a table a later change adds to the object is carried without editing this.
 * The object exposes these as RPC methods (sender-session.ts); src/api/backup.ts calls them.
 */
import type { BackupColumn, BackupValue } from "../src/db/backup-tables";

export interface SessionTableDump {
  name: string;
  columns: BackupColumn[];
  rows: BackupValue[][];
}

/** Tables that are SQLite's or the runtime's own bookkeeping, never state of ours. */
const INTERNAL_TABLE = /^(sqlite_|_cf_)/;

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The object's own tables. A full-text index (a virtual table and the shadow tables SQLite keeps
 * for it, such as the notes' `agent_notes_fts`) is derived state: it is left out and rebuilt by
 * its triggers as the rows it indexes are restored.
 */
function ownTables(sql: SqlStorage): string[] {
  const tables = sql.exec<{ name: string; sql: string | null }>("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name").toArray();
  const virtual = tables.filter((t) => /^CREATE VIRTUAL TABLE/i.test(t.sql ?? "")).map((t) => t.name);
  const derived = (name: string) => virtual.some((v) => name === v || name.startsWith(`${v}_`));
  return tables.map((t) => t.name).filter((name) => !INTERNAL_TABLE.test(name) && !derived(name));
}

function columnsOf(sql: SqlStorage, table: string): BackupColumn[] {
  return sql
    .exec<{ name: string; type: string }>(`PRAGMA table_info(${quoteIdent(table)})`)
    .toArray()
    .map((c) => ({ name: c.name, type: c.type }));
}

/** The object's tables hold text and numbers only; a BLOB would need an encoding the file does not define, so it fails loudly. */
function cell(table: string, value: SqlStorageValue): BackupValue {
  if (value instanceof ArrayBuffer) throw new Error(`table ${table} holds a BLOB, which a backup cannot carry`);
  return value;
}

/** Every table of the object with all its rows, in rowid order (history's order is its seq), or key order without a rowid. */
export function dumpSessionTables(sql: SqlStorage): SessionTableDump[] {
  const withoutRowid = new Set(
    sql
      .exec<{ name: string; sql: string | null }>("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
      .toArray()
      .filter((t) => /WITHOUT\s+ROWID/i.test(t.sql ?? ""))
      .map((t) => t.name),
  );
  return ownTables(sql).map((name) => {
    const columns = columnsOf(sql, name);
    const list = columns.map((c) => quoteIdent(c.name)).join(", ");
    // A WITHOUT ROWID table has no rowid; a plain scan of it goes in its key's order.
    const order = withoutRowid.has(name) ? "" : " ORDER BY rowid";
    const rows = Array.from(sql.exec(`SELECT ${list} FROM ${quoteIdent(name)}${order}`).raw()).map((row) => row.map((v) => cell(name, v)));
    return { name, columns, rows };
  });
}

/** A backup from before history kept one row per exchange holds one row per turn (role, content): each becomes an exchange of one turn. */
function historyOfOneTurnRows(columns: string[], rows: BackupValue[][]): { columns: string[]; rows: BackupValue[][] } {
  const [seq, role, content, at] = ["seq", "role", "content", "at"].map((c) => columns.indexOf(c));
  if (role === undefined || content === undefined || seq === undefined || at === undefined || role < 0 || content < 0) return { columns, rows };
  return {
    columns: ["seq", "turns", "at"],
    rows: rows.map((r) => [r[seq] ?? null, JSON.stringify([{ role: r[role], content: r[content] }]), r[at] ?? null]),
  };
}

export type RestoreOutcome = { ok: true; rows: number } | { ok: false; error: string };

/**
 * Writes one chunk of a table's rows. `replace` (the first chunk of each table) empties the table
 * first, so an import run twice leaves the object exactly as the backup has it. A table or column
 * this object does not have is refused, not guessed at.
 */
export function restoreSessionRows(sql: SqlStorage, table: string, given: string[], givenRows: BackupValue[][], replace: boolean): RestoreOutcome {
  if (!ownTables(sql).includes(table)) return { ok: false, error: `the sender session has no table ${table}` };
  const { columns, rows } = table === "history" ? historyOfOneTurnRows(given, givenRows) : { columns: given, rows: givenRows };
  const known = new Set(columnsOf(sql, table).map((c) => c.name));
  const unknown = columns.filter((c) => !known.has(c));
  if (unknown.length > 0) return { ok: false, error: `table ${table} has no column ${unknown.join(", ")}` };
  if (rows.some((r) => r.length !== columns.length)) return { ok: false, error: `every row of ${table} must have ${columns.length} values` };
  if (replace) sql.exec(`DELETE FROM ${quoteIdent(table)}`);
  const statement = `INSERT OR REPLACE INTO ${quoteIdent(table)} (${columns.map(quoteIdent).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`;
  for (const row of rows) sql.exec(statement, ...row);
  return { ok: true, rows: rows.length };
}
