/**
 * Inbound webhooks, `/hooks/:channelId`: stage 1 (the adapter verifies and normalises) and
 * stage 2 (each message handed to its sender's object, which persists it) before the 200.
 * A rejected request is answered with the adapter's status and stores nothing but a feed event
 * saying it was refused (src/api/audit-feed.ts, rate-limited), never its body. The channel as
 * loaded here goes along with each message, so the object does not load and open it again.
 */
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { channels } from "../db/schema";
import { loadChannel, markChannelHeard, toSnapshot } from "../pipeline/channel-store";
import type { ChannelAdapter, ChannelContext, VerifyResult } from "../channels/shared/types";
import type { AppEnv } from "./context";
import { senderSession } from "../objects/addresses";
import { createLogger } from "../lib/log";
import { decideApproval } from "./approvals";
import { recordInBackground } from "./audit-feed";
import { refusedWebhookEvent } from "./audit-words";

const log = createLogger("hooks");

/**
 * An adapter must answer bad input with a rejection, never throw; if one still throws (a field
 * of an unexpected type its schema let through), the sender gets a 400 and nothing is stored,
 * and the log names the adapter so the gap in its schema can be fixed. Never a 5xx: a platform
 * retries those, and an attacker learns which inputs hurt.
 */
async function verifySafely(adapter: ChannelAdapter<unknown>, request: Request, ctx: ChannelContext<unknown>): Promise<VerifyResult> {
  try {
    return await adapter.verify!(request, ctx);
  } catch (err) {
    console.error(JSON.stringify({ msg: "adapter threw on inbound request", type: adapter.type, channelId: ctx.channelId, error: String(err) }));
    return { kind: "rejected", status: 400, error: "malformed request" };
  }
}

export const hookRoutes = new Hono<AppEnv>().all("/:channelId", async (c) => {
  const channelId = c.req.param("channelId");
  const channel = await loadChannel(c.var.db, channelId, c.env);
  if (!channel?.adapter.verify) return c.json({ error: `no channel ${channelId}` }, 404);
  const now = Date.now();
  const result = await verifySafely(channel.adapter, c.req.raw, {
    channelId,
    config: channel.config,
    publicUrl: c.env.PUBLIC_URL ?? new URL(c.req.url).origin,
    now,
    fetch: (i, init) => fetch(i, init),
    waitUntil: (work) => c.executionCtx.waitUntil(work),
  });
  if (result.kind === "rejected") {
    log.warn("webhook rejected", { channelId, status: result.status, error: result.error });
    const refused = refusedWebhookEvent(channelId, result.status, result.error, now);
    if (refused) recordInBackground(c, refused);
    return c.json({ error: result.error }, result.status);
  }
  // A verified request shows the platform-side setup was done: a channel waiting for it is ok now.
  if (!(result.kind === "response" && result.channelError)) await markChannelHeard(c.var.db, channel);
  if (result.kind === "response") {
    if (result.channelError) {
      log.warn("channel broken", { channelId, error: result.channelError });
      await c.var.db.update(channels).set({ status: "error", lastError: result.channelError, updatedAt: now }).where(eq(channels.id, channelId));
    }
    return result.response;
  }
  if (result.kind === "approval") {
    const { press } = result;
    const outcome = await decideApproval(c.env, c.var.db, press.approvalId, press.approve, {
      via: "chat",
      channelType: channel.adapter.type,
      channelId,
      deciderId: press.deciderId,
      deciderName: press.deciderName,
    });
    log.info("approval press", { channelId, approvalId: press.approvalId, outcome: outcome.kind });
    return result.respond(outcome);
  }
  const snapshot = toSnapshot(channel);
  const received = await Promise.all(
    result.messages.map((m) => senderSession(c.env, channelId, m.senderId).receive(channelId, { ...m, receivedAt: now }, snapshot)),
  );
  if (result.ack) return result.ack();
  return c.json({ ok: true, accepted: received.filter((r) => !r.duplicate).length, duplicates: received.filter((r) => r.duplicate).length });
});
