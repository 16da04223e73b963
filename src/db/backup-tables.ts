/**
 * Backups, D1 side: which tables a backup holds, their rows page by page (by rowid, or by primary
 * key for a WITHOUT ROWID table, so paging is stable while the gateway keeps writing) and the
 * restore of rows, upserted so a rerun of an
 * interrupted import changes nothing. Generic over the live schema on purpose: a table added
 * by a later migration is backed up without touching this file. The API routes are
 * src/api/backup.ts, the file format src/cli/backup-file.ts.
 */

/** A column as SQLite declares it; the type is kept so the backup file has the same affinities. */
export interface BackupColumn {
  name: string;
  type: string;
}

export interface BackupTable {
  name: string;
  /** The table's CREATE statement, from sqlite_master: the backup file recreates it verbatim. */
  sql: string;
  columns: BackupColumn[];
  rows: number;
  /** A WITHOUT ROWID table's primary key columns, in key order: its pages follow the key. Null: pages follow the rowid. */
  key: string[] | null;
}

/** A cell as D1 returns it for this schema (no BLOB columns). */
export type BackupValue = string | number | null;

/** Tables never copied: SQLite's and Cloudflare's own, and wrangler's record of applied migrations. */
const INTERNAL_TABLE = /^(sqlite_|_cf_|d1_migrations$)/;
/** A CREATE TABLE statement of a table without rowids (its rows are kept in primary key order). */
export const WITHOUT_ROWID = /\)\s*WITHOUT\s+ROWID\s*;?\s*$/i;
/** Restored first: other tables reference them (auth_tokens.user_id → users.id, enforced by D1). */
const RESTORE_FIRST = ["users"];
/** D1 binds at most 100 parameters a statement; one row a statement, a batch of statements a round trip. */
export const RESTORE_ROWS_PER_BATCH = 50;

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Every table a backup holds, in restore order, with its columns and row count. */
export async function backupTables(d1: D1Database): Promise<BackupTable[]> {
  const listed = await d1.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name").all<{ name: string; sql: string }>();
  const tables: BackupTable[] = [];
  for (const t of listed.results) {
    if (INTERNAL_TABLE.test(t.name)) continue;
    const info = await d1.prepare(`PRAGMA table_info(${quoteIdent(t.name)})`).all<{ name: string; type: string; pk: number }>();
    const count = await d1.prepare(`SELECT COUNT(*) AS n FROM ${quoteIdent(t.name)}`).first<{ n: number }>();
    const key = WITHOUT_ROWID.test(t.sql)
      ? info.results
          .filter((c) => c.pk > 0)
          .sort((a, b) => a.pk - b.pk)
          .map((c) => c.name)
      : null;
    tables.push({ name: t.name, sql: t.sql, columns: info.results.map((c) => ({ name: c.name, type: c.type })), rows: count?.n ?? 0, key });
  }
  const rank = (name: string) => (RESTORE_FIRST.includes(name) ? RESTORE_FIRST.indexOf(name) : RESTORE_FIRST.length);
  return tables.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

/** The last migration applied to this database (wrangler's d1_migrations), or null when it has no record. */
export async function schemaVersion(d1: D1Database): Promise<string | null> {
  const exists = await d1.prepare("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'd1_migrations'").first();
  if (!exists) return null;
  const last = await d1.prepare("SELECT name FROM d1_migrations ORDER BY id DESC LIMIT 1").first<{ name: string }>();
  return last?.name ?? null;
}

/**
 * One page of a table's rows after a cursor, as arrays in the table's column order. The cursor
 * is opaque to clients: a rowid (`"0"` starts) or, for a WITHOUT ROWID table, the JSON of the
 * last row's primary key (`""` or `"0"` starts); `nextAfter` is the next page's, null after the last.
 */
export async function readRows(d1: D1Database, table: BackupTable, after: string, limit: number): Promise<{ rows: BackupValue[][]; nextAfter: string | null }> {
  const columns = table.columns.map((c) => quoteIdent(c.name)).join(", ");
  const name = quoteIdent(table.name);
  if (!table.key) {
    const afterRowid = Number.parseInt(after || "0", 10);
    if (!Number.isSafeInteger(afterRowid) || afterRowid < 0) throw new BackupCursorError(table.name);
    const page = await d1
      .prepare(`SELECT rowid AS backup_rowid, ${columns} FROM ${name} WHERE rowid > ? ORDER BY rowid LIMIT ?`)
      .bind(afterRowid, limit)
      .raw<BackupValue[]>();
    const last = page.at(-1);
    return { rows: page.map((r) => r.slice(1)), nextAfter: page.length === limit && last ? String(last[0]) : null };
  }
  const key = table.key.map(quoteIdent);
  const start = after === "" || after === "0";
  const keyValues = start ? [] : parseKeyCursor(after, table);
  // A row value comparison walks the primary key b-tree from the cursor on: a page reads its own rows only.
  const where = start ? "" : `WHERE (${key.join(", ")}) > (${key.map(() => "?").join(", ")}) `;
  const page = await d1
    .prepare(`SELECT ${key.join(", ")}, ${columns} FROM ${name} ${where}ORDER BY ${key.join(", ")} LIMIT ?`)
    .bind(...keyValues, limit)
    .raw<BackupValue[]>();
  const last = page.at(-1);
  return {
    rows: page.map((r) => r.slice(key.length)),
    nextAfter: page.length === limit && last ? JSON.stringify(last.slice(0, key.length)) : null,
  };
}

/** A cursor that is not one this table's pages hand out: the client's request is wrong (a 400). */
export class BackupCursorError extends Error {
  constructor(table: string) {
    super(`after is not a cursor of table ${table}: pass the nextAfter of the previous page`);
    this.name = "BackupCursorError";
  }
}

function parseKeyCursor(after: string, table: BackupTable): BackupValue[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(after);
  } catch {
    throw new BackupCursorError(table.name);
  }
  const valid =
    Array.isArray(parsed) && parsed.length === table.key?.length && parsed.every((v) => v === null || typeof v === "string" || typeof v === "number");
  if (!valid) throw new BackupCursorError(table.name);
  return parsed as BackupValue[];
}

/**
 * Writes rows into a table: each row inserted, or on any conflict (its primary key or a unique
 * index) the existing row takes the backup's values. Idempotent, and keeps rows the backup does
 * not have (a merge under --force); an upsert rather than REPLACE, which would delete the
 * conflicting row and with it, through ON DELETE CASCADE, the importing admin's own token.
 */
export async function restoreRows(d1: D1Database, table: BackupTable, columns: string[], rows: BackupValue[][]): Promise<number> {
  const quoted = columns.map(quoteIdent);
  const statement = `INSERT INTO ${quoteIdent(table.name)} (${quoted.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})
    ON CONFLICT DO UPDATE SET ${quoted.map((c) => `${c} = excluded.${c}`).join(", ")}`;
  const prepared = d1.prepare(statement);
  for (let i = 0; i < rows.length; i += RESTORE_ROWS_PER_BATCH) {
    await d1.batch(rows.slice(i, i + RESTORE_ROWS_PER_BATCH).map((row) => prepared.bind(...row)));
  }
  return rows.length;
}
