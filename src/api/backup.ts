/**
 * `/api/backup`: what `loopgate export` reads and `loopgate import` writes (docs/backup.md).
 * D1 tables go out page by page and come back in upserted batches; each sender's SenderSession
 * object state goes out whole and comes back table by table, so no request exceeds the API's
 * body limit. Channel configs travel as stored: sealed, never opened here.
 */
import { Hono } from "hono";
import * as z from "zod";
import { BackupCursorError, backupTables, type BackupTable, readRows, restoreRows, schemaVersion } from "../db/backup-tables";
import { senderSession } from "../objects/addresses";
import type { AppEnv } from "./context";
import { fail } from "./errors";
import { validate } from "./validate";

/** Version of the backup's shape; an import refuses a format it does not know. */
export const BACKUP_FORMAT = 1;
const MAX_PAGE_ROWS = 1000;

const value = z.union([z.string(), z.number(), z.null()]);
const rowsBody = z.object({
  columns: z.array(z.string().min(1)).min(1),
  rows: z.array(z.array(value)),
});
const pageQuery = z.object({
  /** The previous page's nextAfter (a rowid, or a WITHOUT ROWID table's key as JSON); "0" starts. */
  after: z.string().max(4000).default("0"),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_ROWS).default(500),
});
const sessionQuery = z.object({ channelId: z.string().min(1), senderId: z.string().min(1) });
const sessionsQuery = z.object({
  afterChannelId: z.string().default(""),
  afterSenderId: z.string().default(""),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_ROWS).default(200),
});
const sessionRowsBody = rowsBody.extend({
  channelId: z.string().min(1),
  senderId: z.string().min(1),
  table: z.string().min(1),
  /** The first chunk of each table: empty the table before writing. */
  replace: z.boolean(),
});

async function tableNamed(d1: D1Database, name: string): Promise<BackupTable> {
  const table = (await backupTables(d1)).find((t) => t.name === name);
  if (!table) fail(404, `no table ${name} in this gateway's database`);
  return table;
}

/**
 * Every sender that may have a SenderSession object: a conversation (sessions), a pairing
 * (senders) or any message record (an unpaired sender's pairing attempts live in its object too).
 */
const SENDERS_WITH_STATE = `SELECT channel_id, sender_id FROM (
    SELECT channel_id, sender_id FROM sessions UNION SELECT channel_id, sender_id FROM senders UNION SELECT channel_id, sender_id FROM messages
  ) WHERE channel_id > ?1 OR (channel_id = ?1 AND sender_id > ?2) ORDER BY channel_id, sender_id LIMIT ?3`;

export const backupRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const d1 = c.env.DB;
    const senders = await d1
      .prepare(
        "SELECT COUNT(*) AS n FROM (SELECT channel_id, sender_id FROM sessions UNION SELECT channel_id, sender_id FROM senders UNION SELECT channel_id, sender_id FROM messages)",
      )
      .first<{ n: number }>();
    return c.json({
      format: BACKUP_FORMAT,
      schema: await schemaVersion(d1),
      tables: await backupTables(d1),
      senderSessions: senders?.n ?? 0,
    });
  })
  .get("/tables/:table", validate("query", pageQuery), async (c) => {
    const table = await tableNamed(c.env.DB, c.req.param("table"));
    const { after, limit } = c.req.valid("query");
    const page = await readRows(c.env.DB, table, after, limit).catch((err: unknown) => {
      if (err instanceof BackupCursorError) fail(400, err.message);
      throw err;
    });
    return c.json({ table: table.name, columns: table.columns.map((col) => col.name), rows: page.rows, nextAfter: page.nextAfter });
  })
  .post("/tables/:table", validate("json", rowsBody), async (c) => {
    const table = await tableNamed(c.env.DB, c.req.param("table"));
    const { columns, rows } = c.req.valid("json");
    const known = new Set(table.columns.map((col) => col.name));
    const unknown = columns.filter((col) => !known.has(col));
    if (unknown.length > 0) fail(400, `table ${table.name} has no column ${unknown.join(", ")}: is the backup from a newer Loopgate?`);
    if (new Set(columns).size !== columns.length) fail(400, "columns must not repeat");
    if (rows.some((r) => r.length !== columns.length)) fail(400, `every row must have ${columns.length} values, one per column`);
    return c.json({ table: table.name, written: await restoreRows(c.env.DB, table, columns, rows) });
  })
  .get("/sessions", validate("query", sessionsQuery), async (c) => {
    const { afterChannelId, afterSenderId, limit } = c.req.valid("query");
    const page = await c.env.DB.prepare(SENDERS_WITH_STATE).bind(afterChannelId, afterSenderId, limit).all<{ channel_id: string; sender_id: string }>();
    const sessions = page.results.map((r) => ({ channelId: r.channel_id, senderId: r.sender_id }));
    return c.json({ sessions, more: sessions.length === limit });
  })
  .get("/sessions/state", validate("query", sessionQuery), async (c) => {
    const { channelId, senderId } = c.req.valid("query");
    const tables = await senderSession(c.env, channelId, senderId).exportState();
    return c.json({ channelId, senderId, tables });
  })
  .post("/sessions/rows", validate("json", sessionRowsBody), async (c) => {
    const { channelId, senderId, table, columns, rows, replace } = c.req.valid("json");
    const outcome = await senderSession(c.env, channelId, senderId).restoreRows(table, columns, rows, replace);
    if (!outcome.ok) fail(400, outcome.error);
    return c.json({ table, written: outcome.rows });
  });
