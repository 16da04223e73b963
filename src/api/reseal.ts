/**
 * `POST /api/secrets/reseal`: the last step of a master-key rotation. Every channel secret not
 * sealed under the current LOOPGATE_MASTER_KEY (sealed under LOOPGATE_MASTER_KEY_PREVIOUS, or
 * before key ids existed) is opened and sealed again under it. Idempotent: a second run finds
 * nothing to do. A row changed meanwhile is skipped and reported, never overwritten.
 */
import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import { resealConfig } from "../channels/shared/config-codec";
import { getAdapter } from "../channels/registry";
import { keyringFor } from "../crypto/keyring";
import { channels } from "../db/schema";
import type { AppEnv } from "./context";
import { fail } from "./errors";

export const resealRoutes = new Hono<AppEnv>().post("/reseal", async (c) => {
  const ring = await keyringFor(c.env);
  if (!ring) fail(503, "LOOPGATE_MASTER_KEY is not set: nothing can be sealed");
  const rows = await c.var.db.select({ id: channels.id, type: channels.type, config: channels.config }).from(channels);
  let resealed = 0;
  const skipped: { channelId: string; reason: string }[] = [];
  for (const row of rows) {
    const adapter = getAdapter(row.type);
    if (!adapter) {
      skipped.push({ channelId: row.id, reason: `channel type ${row.type} is not installed` });
      continue;
    }
    const { config, changed } = await resealConfig(adapter, JSON.parse(row.config) as Record<string, unknown>, ring);
    if (!changed) continue;
    // Conditional on the config read: an edit that landed meanwhile (already sealed under the new key) wins.
    const updated = await c.var.db
      .update(channels)
      .set({ config: JSON.stringify(config) })
      .where(and(eq(channels.id, row.id), eq(channels.config, row.config)))
      .returning({ id: channels.id });
    if (updated.length === 1) resealed++;
    else skipped.push({ channelId: row.id, reason: "changed while resealing; run reseal again" });
  }
  return c.json({ keyId: ring.current.keyId, channels: rows.length, resealed, skipped });
});
