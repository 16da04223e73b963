/**
 * Inbound webhooks, `/hooks/:channelId`: stage 1 (the adapter verifies and normalises) and
 * stage 2 (each message handed to its sender's object, which persists it) before the 200.
 * A rejected request is answered with the adapter's status and stores nothing. The channel as
 * loaded here goes along with each message, so the object does not load and open it again.
 */
import { Hono } from "hono";
import { loadChannel, toSnapshot } from "../pipeline/channel-store";
import type { AppEnv } from "./context";
import { senderSession } from "./sender-stub";

export const hookRoutes = new Hono<AppEnv>().all("/:channelId", async (c) => {
  const channelId = c.req.param("channelId");
  const channel = await loadChannel(c.var.db, channelId, c.env.LOOPGATE_MASTER_KEY);
  if (!channel?.adapter.verify) return c.json({ error: `no channel ${channelId}` }, 404);
  const now = Date.now();
  const result = await channel.adapter.verify(c.req.raw, {
    channelId,
    config: channel.config,
    publicUrl: c.env.PUBLIC_URL ?? new URL(c.req.url).origin,
    now,
    fetch: (i, init) => fetch(i, init),
    waitUntil: (work) => c.executionCtx.waitUntil(work),
  });
  if (result.kind === "rejected") {
    console.warn(JSON.stringify({ msg: "webhook rejected", channelId, status: result.status, error: result.error }));
    return c.json({ error: result.error }, result.status);
  }
  if (result.kind === "response") return result.response;
  const snapshot = toSnapshot(channel);
  const received = await Promise.all(
    result.messages.map((m) => senderSession(c.env, channelId, m.senderId).receive(channelId, { ...m, receivedAt: now }, snapshot)),
  );
  if (result.ack) return result.ack();
  return c.json({ ok: true, accepted: received.filter((r) => !r.duplicate).length, duplicates: received.filter((r) => r.duplicate).length });
});
