/**
 * `GET /bridge/files/:id`: a bridge fetches the file of a reply queued for it (docs/media.md,
 * "Files the agent sends"). The reply frame only names the file; the bytes wait in the bridge's
 * BridgeHub (workers/bridge-hub-files.ts). Authenticated by the bridge's own token, like
 * `/bridge/connect`; a token only reaches its own bridge's hub, and a file is handed out only
 * while its reply waits, before it expires, and while its channel is still served by that bridge.
 */
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { sha256Hex } from "../crypto/hmac";
import { isServedBy } from "../channels/shared/bridged-store";
import { bridges } from "../db/schema";
import { bridgeHub } from "../objects/addresses";
import type { AppEnv } from "./context";
import { fail } from "./errors";

export const bridgeFileRoutes = new Hono<AppEnv>().get("/:id", async (c) => {
  const token = c.req.header("authorization")?.match(/^Bearer\s+(lgb_\S+)$/i)?.[1];
  if (!token) fail(401, "missing Authorization: Bearer <bridge token>");
  // Looked up by hash, as /bridge/connect does: the token itself is never stored.
  const row = await c.var.db
    .select({ id: bridges.id })
    .from(bridges)
    .where(eq(bridges.tokenHash, await sha256Hex(token)))
    .get();
  if (!row) fail(401, "invalid or revoked bridge token");
  const found = await bridgeHub(c.env, row.id).replyFile(c.req.param("id"));
  if (!found.ok) fail(found.status, found.error);
  // A channel moved to another bridge (or deleted) since the file was queued: this bridge may not have it.
  if (!(await isServedBy(c.var.db, row.id, found.channelId))) fail(403, `channel ${found.channelId} is not served by this bridge`);
  return new Response(found.bytes, {
    headers: {
      "content-type": found.mediaType,
      "content-length": String(found.bytes.byteLength),
      "content-disposition": "attachment",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
});
