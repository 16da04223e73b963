/**
 * Bridges: `POST /api/bridges` mints a bridge token (shown once, stored as a SHA-256 hash),
 * `GET /api/bridges[/:id]` shows connection state and its channels' states (with a login QR
 * when one is waiting), `PUT /api/bridges/:id` renames it or sets where its down/up notices go,
 * `DELETE /api/bridges/:id` revokes,
 * `POST /api/bridges/:id/disconnect` drops the live connection (the bridge reconnects).
 * `GET /bridge/connect` is the bridge's own WebSocket upgrade, authenticated by its token
 * (`POST /bridge/media`, the bridge's file uploads, checks it the same way: bridge-media.ts).
 */
import { eq, sql } from "drizzle-orm";
import { Hono } from "hono";
import * as z from "zod";
import { sha256Hex } from "../crypto/hmac";
import { newId, randomToken } from "../crypto/random";
import type { Db } from "../db/client";
import { bridgedChannelStates, isServedBy } from "../channels/shared/bridged-store";
import { bridges, channels } from "../db/schema";
import type { AppEnv } from "./context";
import { fail } from "./errors";
import { validate } from "./validate";
import { bridgeHub } from "../objects/addresses";

type BridgeRow = typeof bridges.$inferSelect;

async function present(env: Env, db: Db, row: BridgeRow) {
  const [live, served] = await Promise.all([bridgeHub(env, row.id).status(), bridgedChannelStates(db, row.id)]);
  const { tokenHash: _hidden, ...shown } = row;
  return {
    ...shown,
    connected: live.connected,
    queuedReplies: live.queuedReplies,
    lastSeenAt: live.lastSeenAt ?? row.lastSeenAt,
    heartbeatMs: live.heartbeatMs,
    channels: served,
  };
}

const bridgeName = z.string().trim().min(1, "name is required").max(100);
/** Where down/up notices go: both fields, or null to stop them. */
const notifyFields = {
  notifyChannelId: z.string().min(1).max(100).nullable().optional(),
  notifyRecipient: z.string().trim().min(1).max(200).nullable().optional(),
};
type NotifyBody = { notifyChannelId?: string | null; notifyRecipient?: string | null };

/** Checks a notify target: both parts or neither, an existing channel, not one this bridge serves (it would be down too). */
async function notifyTarget(
  db: Db,
  bridgeId: string | null,
  body: NotifyBody,
): Promise<{ notifyChannelId: string | null; notifyRecipient: string | null } | undefined> {
  if (body.notifyChannelId === undefined && body.notifyRecipient === undefined) return undefined;
  const channelId = body.notifyChannelId ?? null;
  const recipient = body.notifyRecipient ?? null;
  if ((channelId === null) !== (recipient === null)) fail(400, "notifyChannelId and notifyRecipient go together: set both, or both to null");
  if (channelId === null) return { notifyChannelId: null, notifyRecipient: null };
  if (!(await db.select({ id: channels.id }).from(channels).where(eq(channels.id, channelId)).get())) fail(400, `no channel ${channelId} for notifyChannelId`);
  if (bridgeId && (await isServedBy(db, bridgeId, channelId)))
    fail(400, `channel ${channelId} is served by this bridge: its notices could not be delivered while it is down`);
  return { notifyChannelId: channelId, notifyRecipient: recipient };
}

async function getRow(db: Db, id: string): Promise<BridgeRow> {
  const row = await db.select().from(bridges).where(eq(bridges.id, id)).get();
  if (!row) fail(404, `no bridge ${id}`);
  return row;
}

/** Counts for /api/health: how many bridges are up and how many have gone quiet. */
export async function bridgeHealth(db: Db): Promise<{ up: number; down: number }> {
  const rows = await db.select({ status: bridges.status, n: sql<number>`count(*)` }).from(bridges).groupBy(bridges.status);
  const count = (s: string) => rows.find((r) => r.status === s)?.n ?? 0;
  return { up: count("up"), down: count("down") };
}

export const bridgeRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const rows = await c.var.db.select().from(bridges).orderBy(bridges.createdAt);
    return c.json({ bridges: await Promise.all(rows.map((r) => present(c.env, c.var.db, r))) });
  })
  .post("/", validate("json", z.object({ name: bridgeName, ...notifyFields })), async (c) => {
    const body = c.req.valid("json");
    const notify = (await notifyTarget(c.var.db, null, body)) ?? { notifyChannelId: null, notifyRecipient: null };
    const token = `lgb_${randomToken()}`;
    const row: BridgeRow = {
      id: newId("brg"),
      name: body.name,
      tokenHash: await sha256Hex(token),
      status: "never",
      lastError: null,
      lastConnectedAt: null,
      lastSeenAt: null,
      ...notify,
      createdAt: Date.now(),
    };
    await c.var.db.insert(bridges).values(row);
    // The token is shown here once; only its hash is stored.
    return c.json({ bridge: await present(c.env, c.var.db, row), token }, 201);
  })
  .get("/:id", async (c) => c.json({ bridge: await present(c.env, c.var.db, await getRow(c.var.db, c.req.param("id"))) }))
  .put("/:id", validate("json", z.object({ name: bridgeName.optional(), ...notifyFields })), async (c) => {
    const row = await getRow(c.var.db, c.req.param("id"));
    const body = c.req.valid("json");
    const changes = { ...(body.name !== undefined ? { name: body.name } : {}), ...(await notifyTarget(c.var.db, row.id, body)) };
    if (Object.keys(changes).length) await c.var.db.update(bridges).set(changes).where(eq(bridges.id, row.id));
    return c.json({ bridge: await present(c.env, c.var.db, { ...row, ...changes }) });
  })
  .post("/:id/disconnect", async (c) => {
    const row = await getRow(c.var.db, c.req.param("id"));
    return c.json({ ok: true, wasConnected: await bridgeHub(c.env, row.id).disconnect() });
  })
  .delete("/:id", async (c) => {
    const row = await getRow(c.var.db, c.req.param("id"));
    await c.var.db.delete(bridges).where(eq(bridges.id, row.id));
    await bridgeHub(c.env, row.id).revoke();
    return c.json({ ok: true });
  });

/** The bridge a request's `Authorization: Bearer lgb_...` belongs to; 401 otherwise. Shared by /bridge/connect and /bridge/media. */
export async function authenticateBridge(db: Db, authorization: string | undefined): Promise<{ id: string; name: string }> {
  const token = authorization?.match(/^Bearer\s+(lgb_\S+)$/i)?.[1];
  if (!token) fail(401, "missing Authorization: Bearer <bridge token>; mint one with POST /api/bridges");
  // Looked up by hash: the token itself is never stored, and an equality match on a hash leaks nothing useful.
  const row = await db
    .select({ id: bridges.id, name: bridges.name })
    .from(bridges)
    .where(eq(bridges.tokenHash, await sha256Hex(token)))
    .get();
  if (!row) fail(401, "invalid or revoked bridge token");
  return row;
}

export const bridgeConnectRoutes = new Hono<AppEnv>().get("/connect", async (c) => {
  const row = await authenticateBridge(c.var.db, c.req.header("authorization"));
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") return c.json({ error: "expected a WebSocket upgrade" }, 426);
  const headers = new Headers(c.req.raw.headers);
  headers.set("x-loopgate-bridge-id", row.id);
  headers.set("x-loopgate-bridge-name", row.name);
  return bridgeHub(c.env, row.id).fetch(new Request(c.req.raw.url, { method: "GET", headers }));
});
