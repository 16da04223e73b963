/**
 * Stage 8 in the sender's object: delivers pending reply chunks in order. A failure blocks the
 * chunks behind it (replies never arrive out of order) and is retried with exponential backoff,
 * honouring the platform's Retry-After; after DELIVERY_MAX_ATTEMPTS it has failed. A chunk sent
 * (or failed for good) is deleted from the outbox at once, before anything else can happen, so
 * it is never sent again. The outcomes are returned, not written: the pass records them in D1
 * with the messages' records.
 * A reply that was streamed (sender-session-live.ts) is finished by editing its message with
 * the first chunk (or, where the stream must be closed, as on Teams, by its final message),
 * however often that is retried or replayed: the person gets one message.
 */
import type { GatewayConfig } from "../src/config";
import type { LoadedChannel } from "../src/pipeline/channel-store";
import { type DeliveryOutcome } from "../src/pipeline/records";
import { feedEvent, type FeedEvent } from "../src/db/feed-events";
import { bridgeQueue } from "./bridge-hub";
import { emailTransport } from "./email-transport";
import type { OutboxRow } from "./sender-session-storage";
import { firstChunkId, liveReplyOf, saveLiveReply } from "./sender-session-live";
import { sendFileRow } from "./sender-session-files";
import type { ChannelContext, OutboundMessage, SendResult } from "../src/channels/shared/types";

export interface DeliveryAttempt {
  /** The turn (inbox id, or a notice id) the chunk belongs to. */
  turnId: string;
  runId: string | null;
  outcome: DeliveryOutcome;
  event: FeedEvent;
}

export interface DeliveryPass {
  attempts: DeliveryAttempt[];
  /** When the first chunk still pending is due; null when none is. */
  nextDueAt: number | null;
}

/**
 * The context an adapter sends from the sender's object with: a delivery here (which adds the
 * e-mail transport) and the live reply of a running turn (sender-session.ts) share it.
 */
export function sendContext(env: Env, channelId: string, config: unknown, now: number): ChannelContext<unknown> {
  return { channelId, config, publicUrl: env.PUBLIC_URL ?? "", now, fetch: (input, init) => fetch(input, init), bridges: bridgeQueue(env) };
}

export async function deliverDue(o: {
  sql: SqlStorage;
  env: Env;
  cfg: GatewayConfig;
  channelFor: (id: string) => Promise<LoadedChannel | null>;
}): Promise<DeliveryPass> {
  const attempts: DeliveryAttempt[] = [];
  const pending = o.sql.exec<OutboxRow>("SELECT * FROM outbox WHERE status = 'pending' ORDER BY created_at, id").toArray();
  for (const row of pending) {
    if (row.next_at > Date.now()) return { attempts, nextDueAt: row.next_at };
    const attempt = await deliverOne(o, row);
    attempts.push(attempt);
    if (attempt.outcome.status === "retrying") return { attempts, nextDueAt: row.next_at };
  }
  return { attempts, nextDueAt: null };
}

async function deliverOne(o: { sql: SqlStorage; env: Env; cfg: GatewayConfig; channelFor: (id: string) => Promise<LoadedChannel | null> }, row: OutboxRow) {
  const channel = await o.channelFor(row.channel_id);
  const now = Date.now();
  const attempts = row.attempts + 1;
  const result = channel
    ? await sendOrFinish(
        o.sql,
        channel,
        row,
        {
          recipient: row.recipient,
          conversationId: row.conversation_id ?? undefined,
          inReplyTo: row.in_reply_to ?? undefined,
          text: row.text,
          deliveryId: row.id,
          replyContext: row.reply_context ? (JSON.parse(row.reply_context) as Record<string, string>) : undefined,
          ...(row.approval_id ? { approval: { id: row.approval_id } } : {}),
        },
        { ...sendContext(o.env, row.channel_id, channel.config, now), sendEmail: emailTransport(o.env) },
      )
    : ({ ok: false, retryable: false, error: "channel was deleted" } as const);
  const base = { channelId: row.channel_id, senderId: row.recipient, deliveryId: row.id, runId: row.run_id, attempts };
  const done = (outcome: DeliveryOutcome, event: FeedEvent): DeliveryAttempt => ({ turnId: row.turn_id, runId: row.run_id, outcome, event });
  if (result.ok) {
    o.sql.exec("DELETE FROM outbox WHERE id = ?", row.id);
    return done({ status: "sent", attempts, at: now }, feedEvent("reply.delivered", row.channel_id, row.recipient, base, now));
  }
  if (result.retryable && attempts < o.cfg.DELIVERY_MAX_ATTEMPTS) {
    const delay = Math.max(result.retryAfterMs ?? 0, o.cfg.DELIVERY_RETRY_BASE_MS * 2 ** (attempts - 1));
    row.next_at = now + delay;
    o.sql.exec("UPDATE outbox SET attempts = ?, next_at = ?, last_error = ? WHERE id = ?", attempts, row.next_at, result.error, row.id);
    const event = feedEvent("reply.retrying", row.channel_id, row.recipient, { ...base, error: result.error, retryInMs: delay }, now);
    return done({ status: "retrying", attempts, error: result.error, at: now }, event);
  }
  o.sql.exec("DELETE FROM outbox WHERE id = ?", row.id);
  console.error(JSON.stringify({ msg: "reply delivery failed", ...base, error: result.error }));
  return done(
    { status: "failed", attempts, error: result.error, at: now },
    feedEvent("reply.failed", row.channel_id, row.recipient, { ...base, error: result.error }, now),
  );
}

/** The first chunk of a streamed turn is its message's last edit; everything else is sent as it is. */
async function sendOrFinish(
  sql: SqlStorage,
  channel: LoadedChannel,
  row: OutboxRow,
  message: OutboundMessage,
  ctx: ChannelContext<unknown>,
): Promise<SendResult> {
  if (row.file) return sendFileRow(channel, row.file, message, ctx);
  const streaming = channel.adapter.streaming;
  const live = streaming && row.id === firstChunkId(row.turn_id) ? liveReplyOf(sql, row.turn_id) : null;
  if (!streaming || !live) return channel.adapter.send(message, ctx);
  // A stream that must be closed by a last message (Teams) gets it even when the preview shows everything.
  if (streaming.finish) {
    const finished = await streaming.finish(message, live.message_id, ctx);
    if (finished.ok) saveLiveReply(sql, row.turn_id, row.channel_id, live.message_id, row.text, Date.now());
    // A stream that can no longer be closed (stopped by the person, timed out): the reply goes out whole.
    return finished.ok || finished.retryable ? finished : channel.adapter.send(message, ctx);
  }
  // Already showing exactly this (a replayed delivery, or the last preview was the whole answer).
  if (live.shown === row.text) return { ok: true, platformMessageId: live.message_id };
  const edited = await streaming.edit(message, live.message_id, ctx);
  if (edited.ok) {
    saveLiveReply(sql, row.turn_id, row.channel_id, live.message_id, row.text, Date.now());
    return edited;
  }
  // The message cannot be edited any more (deleted, too old): the reply goes out whole rather than not at all.
  return edited.retryable ? edited : channel.adapter.send(message, ctx);
}
