/**
 * The backup file of `loopgate export` / `loopgate import`: one SQLite file, like the original
 * product's single portable database. D1 tables keep their own names and CREATE statements (so
 * `sqlite3 backup.db 'SELECT * FROM messages'` just works); each SenderSession table becomes
 * `sender_<table>`, its rows tagged with the session's channel and sender. `loopgate_backup`
 * holds the format, schema version and origin; `loopgate_backup_tables` says which table is which.
 * Written with Node's built-in node:sqlite (DatabaseSync), so nothing is installed for it.
 */
import type { DatabaseSync } from "node:sqlite";
import type { BackupColumn, BackupValue } from "../db/backup-tables";

export type BackupKind = "d1" | "sender";

export interface BackupFileTable {
  /** The table's name in the gateway (D1 or the SenderSession object). */
  name: string;
  kind: BackupKind;
  /** Its name in this file. */
  fileTable: string;
  columns: BackupColumn[];
}

const SENDER_KEY_COLUMNS = ["session_channel_id", "session_sender_id"] as const;
/** The ending of a CREATE TABLE statement of a table without rowids (as in src/db/backup-tables.ts). */
const WITHOUT_ROWID = /\)\s*WITHOUT\s+ROWID\s*;?\s*$/i;

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Opens (or creates) the file. node:sqlite prints an "experimental" warning when first loaded in
 * Node 22; it works (the format is plain SQLite) and the warning would read as a fault, so that
 * one warning is silenced while the module loads.
 */
export async function openBackupFile(path: string, options: { create: boolean }): Promise<DatabaseSync> {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === "string" ? warning : warning.message;
    if (text.includes("SQLite is an experimental feature")) return;
    (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    const { DatabaseSync } = await import("node:sqlite");
    const db = new DatabaseSync(path, { open: true, readOnly: !options.create });
    if (options.create) db.exec("PRAGMA journal_mode = DELETE");
    return db;
  } finally {
    process.emitWarning = emit;
  }
}

/** Creates the bookkeeping tables and records the file's metadata. */
export function writeHeader(db: DatabaseSync, meta: Record<string, string>): void {
  db.exec("CREATE TABLE loopgate_backup (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  db.exec(
    "CREATE TABLE loopgate_backup_tables (name TEXT NOT NULL, kind TEXT NOT NULL, file_table TEXT NOT NULL UNIQUE, columns TEXT NOT NULL, PRIMARY KEY (kind, name))",
  );
  db.exec("CREATE TABLE loopgate_backup_senders (channel_id TEXT NOT NULL, sender_id TEXT NOT NULL, PRIMARY KEY (channel_id, sender_id))");
  const put = db.prepare("INSERT INTO loopgate_backup (key, value) VALUES (?, ?)");
  for (const [key, value] of Object.entries(meta)) put.run(key, value);
}

export function readHeader(db: DatabaseSync): Record<string, string> {
  const exists = db.prepare("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'loopgate_backup'").get();
  if (!exists) return {};
  const rows = db.prepare("SELECT key, value FROM loopgate_backup").all() as { key: string; value: string }[];
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

/**
 * A D1 table, created from the gateway's own CREATE statement, as an ordinary rowid table even
 * when the gateway's is WITHOUT ROWID: the file keeps rows in the order they were exported and
 * reads them back by rowid (readD1Rows).
 */
export function addD1Table(db: DatabaseSync, name: string, createSql: string, columns: BackupColumn[]): BackupFileTable {
  db.exec(createSql.replace(WITHOUT_ROWID, ")"));
  return registerTable(db, { name, kind: "d1", fileTable: name, columns });
}

/** A SenderSession table, created the first time a session has it. */
export function addSenderTable(db: DatabaseSync, name: string, columns: BackupColumn[]): BackupFileTable {
  const fileTable = `sender_${name}`;
  const defs = [...SENDER_KEY_COLUMNS.map((c) => `${c} TEXT NOT NULL`), ...columns.map((c) => `${quoteIdent(c.name)} ${c.type}`)];
  db.exec(`CREATE TABLE ${quoteIdent(fileTable)} (${defs.join(", ")})`);
  db.exec(`CREATE INDEX ${quoteIdent(`${fileTable}_session`)} ON ${quoteIdent(fileTable)} (${SENDER_KEY_COLUMNS.join(", ")})`);
  return registerTable(db, { name, kind: "sender", fileTable, columns });
}

function registerTable(db: DatabaseSync, table: BackupFileTable): BackupFileTable {
  db.prepare("INSERT INTO loopgate_backup_tables (name, kind, file_table, columns) VALUES (?, ?, ?, ?)").run(
    table.name,
    table.kind,
    table.fileTable,
    JSON.stringify(table.columns),
  );
  return table;
}

export function listTables(db: DatabaseSync): BackupFileTable[] {
  const rows = db.prepare("SELECT name, kind, file_table, columns FROM loopgate_backup_tables ORDER BY rowid").all() as {
    name: string;
    kind: BackupKind;
    file_table: string;
    columns: string;
  }[];
  return rows.map((r) => ({ name: r.name, kind: r.kind, fileTable: r.file_table, columns: JSON.parse(r.columns) as BackupColumn[] }));
}

/** Appends rows (in the table's column order); sender tables get the session's key in front. */
export function appendRows(db: DatabaseSync, table: BackupFileTable, rows: BackupValue[][], session?: { channelId: string; senderId: string }): void {
  const names = [...(table.kind === "sender" ? SENDER_KEY_COLUMNS : []), ...table.columns.map((c) => c.name)];
  const insert = db.prepare(`INSERT INTO ${quoteIdent(table.fileTable)} (${names.map(quoteIdent).join(", ")}) VALUES (${names.map(() => "?").join(", ")})`);
  const key = session ? [session.channelId, session.senderId] : [];
  db.exec("BEGIN");
  try {
    for (const row of rows) insert.run(...key, ...row.map(bindable));
    db.exec("COMMIT");
  } catch (err) {
    db.exec("ROLLBACK");
    throw err;
  }
}

/**
 * node:sqlite binds every JS number as a double, so 3 would land in a TEXT column as "3.0";
 * whole numbers go in as integers (BigInt) to keep the value the gateway had.
 */
function bindable(value: BackupValue): BackupValue | bigint {
  return typeof value === "number" && Number.isInteger(value) ? BigInt(value) : value;
}

export function addSender(db: DatabaseSync, channelId: string, senderId: string): void {
  db.prepare("INSERT OR IGNORE INTO loopgate_backup_senders (channel_id, sender_id) VALUES (?, ?)").run(channelId, senderId);
}

export function listSenders(db: DatabaseSync): { channelId: string; senderId: string }[] {
  const rows = db.prepare("SELECT channel_id, sender_id FROM loopgate_backup_senders ORDER BY channel_id, sender_id").all() as {
    channel_id: string;
    sender_id: string;
  }[];
  return rows.map((r) => ({ channelId: r.channel_id, senderId: r.sender_id }));
}

/** Reads a D1 table's rows page by page (by rowid), in its column order. */
export function* readD1Rows(db: DatabaseSync, table: BackupFileTable, pageRows: number): Generator<BackupValue[][]> {
  const cols = table.columns.map((c) => quoteIdent(c.name)).join(", ");
  const page = db.prepare(`SELECT rowid AS backup_rowid, ${cols} FROM ${quoteIdent(table.fileTable)} WHERE rowid > ? ORDER BY rowid LIMIT ?`);
  let after = 0;
  for (;;) {
    const rows = page.all(after, pageRows) as Record<string, BackupValue>[];
    if (rows.length === 0) return;
    after = Number(rows.at(-1)?.backup_rowid);
    yield rows.map((r) => table.columns.map((c) => r[c.name] ?? null));
  }
}

/** One session's rows of a sender table, in the order they were exported. */
export function readSenderRows(db: DatabaseSync, table: BackupFileTable, channelId: string, senderId: string): BackupValue[][] {
  const cols = table.columns.map((c) => quoteIdent(c.name)).join(", ");
  const rows = db
    .prepare(`SELECT ${cols} FROM ${quoteIdent(table.fileTable)} WHERE session_channel_id = ? AND session_sender_id = ? ORDER BY rowid`)
    .all(channelId, senderId) as Record<string, BackupValue>[];
  return rows.map((r) => table.columns.map((c) => r[c.name] ?? null));
}
