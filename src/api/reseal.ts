/**
 * `POST /api/secrets/reseal`: the last step of a master-key rotation. Every secret not sealed
 * under the current LOOPGATE_MASTER_KEY (sealed under LOOPGATE_MASTER_KEY_PREVIOUS, or before
 * key ids existed) is opened and sealed again under it: channel secrets and MCP server tokens.
 * Idempotent: a second run finds nothing to do. A row changed meanwhile is skipped and
 * reported, never overwritten.
 */
import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import { resealConfig } from "../channels/shared/config-codec";
import { getAdapter } from "../channels/registry";
import { keyringFor, type Keyring } from "../crypto/keyring";
import type { Db } from "../db/client";
import { channels, mcpServers } from "../db/schema";
import type { AppEnv } from "./context";
import { fail } from "./errors";

type Skipped = { channelId: string; reason: string } | { mcpServerId: string; reason: string };

async function resealChannels(db: Db, ring: Keyring, skipped: Skipped[]): Promise<{ total: number; resealed: number }> {
  const rows = await db.select({ id: channels.id, type: channels.type, config: channels.config }).from(channels);
  let resealed = 0;
  for (const row of rows) {
    const adapter = getAdapter(row.type);
    if (!adapter) {
      skipped.push({ channelId: row.id, reason: `channel type ${row.type} is not installed` });
      continue;
    }
    const { config, changed } = await resealConfig(adapter, JSON.parse(row.config) as Record<string, unknown>, ring);
    if (!changed) continue;
    // Conditional on the config read: an edit that landed meanwhile (already sealed under the new key) wins.
    const updated = await db
      .update(channels)
      .set({ config: JSON.stringify(config) })
      .where(and(eq(channels.id, row.id), eq(channels.config, row.config)))
      .returning({ id: channels.id });
    if (updated.length === 1) resealed++;
    else skipped.push({ channelId: row.id, reason: "changed while resealing; run reseal again" });
  }
  return { total: rows.length, resealed };
}

async function resealMcpTokens(db: Db, ring: Keyring, skipped: Skipped[]): Promise<number> {
  const rows = await db.select({ id: mcpServers.id, token: mcpServers.token }).from(mcpServers);
  let resealed = 0;
  for (const row of rows) {
    if (row.token === null || !ring.isStale(row.token)) continue;
    const token = await ring.seal(await ring.open(row.token));
    // Same rule as channels: a token replaced meanwhile (sealed under the new key) is kept.
    const updated = await db
      .update(mcpServers)
      .set({ token })
      .where(and(eq(mcpServers.id, row.id), eq(mcpServers.token, row.token)))
      .returning({ id: mcpServers.id });
    if (updated.length === 1) resealed++;
    else skipped.push({ mcpServerId: row.id, reason: "changed while resealing; run reseal again" });
  }
  return resealed;
}

export const resealRoutes = new Hono<AppEnv>().post("/reseal", async (c) => {
  const ring = await keyringFor(c.env);
  if (!ring) fail(503, "LOOPGATE_MASTER_KEY is not set: nothing can be sealed");
  const skipped: Skipped[] = [];
  const channelOutcome = await resealChannels(c.var.db, ring, skipped);
  const mcpTokensResealed = await resealMcpTokens(c.var.db, ring, skipped);
  return c.json({ keyId: ring.current.keyId, channels: channelOutcome.total, resealed: channelOutcome.resealed, mcpTokensResealed, skipped });
});
