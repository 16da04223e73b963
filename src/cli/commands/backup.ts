/**
 * `loopgate export FILE` and `loopgate import FILE`: the whole gateway (every D1 table and every
 * sender's SenderSession state) to one SQLite file and back, over `/api/backup` (src/api/backup.ts).
 * The file format is src/cli/backup-file.ts; what is and is not in it, docs/backup.md.
 */
import { existsSync, renameSync, rmSync, statSync } from "node:fs";
import type { DatabaseSync } from "node:sqlite";
import type { CommandSpec } from "../command";
import type { Gateway } from "../connection";
import { unwrap } from "../connection";
import { CliError, usageError } from "../errors";
import type { Output } from "../output";
import { renderPairs } from "../output";
import { addD1Table, addSender, addSenderTable, appendRows, type BackupFileTable, openBackupFile, writeHeader } from "../backup-file";
import { importBackup } from "./backup-import";
import { paced } from "./backup-pace";

/** The file format this CLI writes and reads (src/api/backup.ts BACKUP_FORMAT must match). */
export const FILE_FORMAT = "1";
const EXPORT_PAGE_ROWS = "500";
const SESSIONS_PAGE = "200";

export const SEALED_SECRETS_NOTE =
  "Channel secrets are in the file sealed, exactly as stored: they open only on a gateway whose LOOPGATE_MASTER_KEY is the one this gateway uses. Keep that key with the backup, and keep the file private: it holds every conversation.";

async function exportGateway(gw: Gateway, db: DatabaseSync, out: Output) {
  const manifest = await paced(gw, () => gw.client.api.backup.$get());
  writeHeader(db, {
    format: FILE_FORMAT,
    api_format: String(manifest.format),
    schema: manifest.schema ?? "",
    exported_at: new Date().toISOString(),
    source: gw.url,
    secrets: SEALED_SECRETS_NOTE,
  });
  const counts: Record<string, number> = {};
  for (const table of manifest.tables) {
    const fileTable = addD1Table(db, table.name, table.sql, table.columns);
    let after = "0";
    let written = 0;
    for (;;) {
      const page = await paced(gw, () =>
        gw.client.api.backup.tables[":table"].$get({ param: { table: table.name }, query: { after, limit: EXPORT_PAGE_ROWS } }),
      );
      appendRows(db, fileTable, page.rows);
      written += page.rows.length;
      if (page.nextAfter === null) break;
      after = page.nextAfter;
    }
    counts[table.name] = written;
    out.progress(`  ${table.name}: ${written} rows`);
  }

  const senderTables = new Map<string, BackupFileTable>();
  let senders = 0;
  let cursor = { afterChannelId: "", afterSenderId: "" };
  for (;;) {
    const page = await paced(gw, () => gw.client.api.backup.sessions.$get({ query: { ...cursor, limit: SESSIONS_PAGE } }));
    for (const { channelId, senderId } of page.sessions) {
      const state = await paced(gw, () => gw.client.api.backup.sessions.state.$get({ query: { channelId, senderId } }));
      if (state.tables.every((t) => t.rows.length === 0)) continue;
      addSender(db, channelId, senderId);
      senders++;
      for (const t of state.tables) {
        let fileTable = senderTables.get(t.name);
        if (!fileTable) senderTables.set(t.name, (fileTable = addSenderTable(db, t.name, t.columns)));
        if (fileTable.columns.map((c) => c.name).join() !== t.columns.map((c) => c.name).join()) {
          throw new CliError(
            `sender ${channelId}:${senderId} has a different ${t.name} table than the others`,
            "export again once the gateway's objects are migrated",
          );
        }
        appendRows(db, fileTable, t.rows, { channelId, senderId });
      }
    }
    const last = page.sessions.at(-1);
    if (!page.more || !last) break;
    cursor = { afterChannelId: last.channelId, afterSenderId: last.senderId };
  }
  return { schema: manifest.schema, tables: counts, senderSessions: senders, senderTables: [...senderTables.keys()] };
}

export const exportCommand: CommandSpec = {
  path: ["export"],
  summary: "write everything (every table and every sender's conversation state) to one SQLite file",
  args: ["FILE"],
  remote: true,
  options: { overwrite: { type: "boolean", description: "replace FILE if it exists" } },
  details: `The file is plain SQLite: open it with sqlite3 to read any table. ${SEALED_SECRETS_NOTE} Restore with \`loopgate import FILE\` into a fresh gateway.`,
  async run({ args, values, gateway, out }) {
    const path = args[0];
    if (!path) throw usageError("export needs the FILE to write", "loopgate export loopgate-backup.db");
    if (existsSync(path) && !values.overwrite) throw new CliError(`${path} exists`, "choose another name, or pass --overwrite");
    const gw = gateway();
    // Written beside the target and renamed at the end: an interrupted export never leaves a file that looks complete.
    const partial = `${path}.partial`;
    rmSync(partial, { force: true });
    const db = await openBackupFile(partial, { create: true });
    let summary: Awaited<ReturnType<typeof exportGateway>>;
    try {
      summary = await exportGateway(gw, db, out);
      db.close();
    } catch (err) {
      db.close();
      rmSync(partial, { force: true });
      throw err;
    }
    renameSync(partial, path);
    const bytes = statSync(path).size;
    out.data({ file: path, bytes, ...summary });
    out.say(
      renderPairs([
        ["file", path],
        ["size", `${bytes} bytes`],
        ["schema", summary.schema ?? "unknown"],
        [
          "tables",
          Object.entries(summary.tables)
            .map(([name, n]) => `${name} ${n}`)
            .join(", "),
        ],
        ["sender sessions", summary.senderSessions],
      ]),
    );
    out.say(SEALED_SECRETS_NOTE);
  },
};

export const importCommand: CommandSpec = {
  path: ["import"],
  summary: "restore a `loopgate export` file into a fresh gateway",
  args: ["FILE"],
  remote: true,
  options: {
    force: { type: "boolean", description: "import into a gateway that already has data: rows with the same id take the backup's values, others stay" },
  },
  details:
    "Run it against a fresh gateway (set up an admin first, then import with that admin's token); the backup's admin accounts and API tokens come with it, so afterwards you log in with the original password. The gateway must run with the LOOPGATE_MASTER_KEY of the exported one, or its channel secrets do not open. Rerunning an interrupted import is safe: pass --force.",
  async run({ args, values, gateway, out }) {
    const path = args[0];
    if (!path) throw usageError("import needs the FILE to read", "loopgate import loopgate-backup.db");
    if (!existsSync(path)) throw new CliError(`no file ${path}`);
    const db = await openBackupFile(path, { create: false });
    try {
      const summary = await importBackup(gateway(), db, { force: values.force === true, out, fileFormat: FILE_FORMAT });
      out.data(summary);
      out.say(
        renderPairs([
          [
            "tables",
            Object.entries(summary.tables)
              .map(([name, n]) => `${name} ${n}`)
              .join(", "),
          ],
          ["sender sessions", summary.senderSessions],
        ]),
      );
      out.say(
        "Restored. Channel secrets were restored sealed: they open only if this gateway's LOOPGATE_MASTER_KEY is the exported gateway's. Log in with the backup's admin password.",
      );
    } finally {
      db.close();
    }
  },
};

export const backupCommands = [exportCommand, importCommand];
