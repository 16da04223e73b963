/**
 * `loopgate import`: checks that the file and the gateway fit (format, schema version, a fresh
 * gateway unless --force), then restores every D1 table in upserted chunks and every sender's
 * SenderSession tables. Each chunk stays under the API's body limit; every step is idempotent,
 * so an interrupted import is finished by running it again (with --force).
 */
import type { DatabaseSync } from "node:sqlite";
import { listSenders, listTables, readD1Rows, readHeader, readSenderRows } from "../backup-file";
import type { Gateway } from "../connection";
import { CliError } from "../errors";
import type { Output } from "../output";
import { chunkRows } from "../backup-chunks";
import { paced } from "./backup-pace";

const READ_PAGE_ROWS = 2000;
/** What a fresh gateway may already hold: the admin set up to run the import, and their tokens. */
const ACCOUNT_TABLES = new Set(["users", "auth_tokens"]);

export async function importBackup(gw: Gateway, db: DatabaseSync, options: { force: boolean; out: Output; fileFormat: string }) {
  const header = readHeader(db);
  if (header.format !== options.fileFormat) {
    throw new CliError(
      header.format ? `this backup is format ${header.format}; this loopgate reads format ${options.fileFormat}` : "this file is not a loopgate export",
    );
  }
  const manifest = await paced(gw, () => gw.client.api.backup.$get());
  if (header.schema && manifest.schema && header.schema !== manifest.schema) {
    throw new CliError(
      `the backup's database schema is ${header.schema}, this gateway's is ${manifest.schema}`,
      "import into a gateway of the same Loopgate version as the exported one, then upgrade it",
    );
  }
  const occupied = manifest.tables.filter((t) => t.rows > 0 && !ACCOUNT_TABLES.has(t.name));
  if (occupied.length > 0 && !options.force) {
    throw new CliError(
      `the gateway at ${gw.url} already has data (${occupied.map((t) => `${t.rows} ${t.name}`).join(", ")}); import restores into a fresh gateway`,
      "start a fresh gateway (its own state directory or D1 database) and import there, or pass --force to merge: rows with the same id take the backup's values, the rest stay. An interrupted import is finished by running it again with --force.",
    );
  }

  const known = new Set(manifest.tables.map((t) => t.name));
  const tables = listTables(db);
  const tableCounts: Record<string, number> = {};
  for (const table of tables.filter((t) => t.kind === "d1")) {
    if (!known.has(table.name)) throw new CliError(`this gateway has no table ${table.name}`, "is it an older Loopgate version than the exported one?");
    const columns = table.columns.map((c) => c.name);
    let written = 0;
    for (const page of readD1Rows(db, table, READ_PAGE_ROWS)) {
      for (const rows of chunkRows(page, table.name)) {
        const res = await paced(gw, () => gw.client.api.backup.tables[":table"].$post({ param: { table: table.name }, json: { columns, rows } }));
        written += res.written;
      }
    }
    tableCounts[table.name] = written;
    options.out.progress(`  ${table.name}: ${written} rows`);
  }

  const senderTables = tables.filter((t) => t.kind === "sender");
  const senders = listSenders(db);
  for (const { channelId, senderId } of senders) {
    for (const table of senderTables) {
      const rows = readSenderRows(db, table, channelId, senderId);
      // A fresh object has empty tables; on a gateway with data (--force) an empty table is emptied too.
      if (rows.length === 0 && !options.force) continue;
      const columns = table.columns.map((c) => c.name);
      const chunks = rows.length === 0 ? [[]] : chunkRows(rows, `${table.name} of ${channelId}:${senderId}`);
      for (const [i, chunk] of chunks.entries()) {
        await paced(gw, () =>
          gw.client.api.backup.sessions.rows.$post({ json: { channelId, senderId, table: table.name, columns, rows: chunk, replace: i === 0 } }),
        );
      }
    }
  }
  options.out.progress(`  sender sessions: ${senders.length}`);
  return { tables: tableCounts, senderSessions: senders.length };
}
