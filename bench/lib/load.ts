/**
 * The load: `senders` simulated users in parallel, each sending its messages one after another
 * as signed webhooks and waiting for the reply before the next (as a person in a chat does).
 * A failed or refused POST is retried with the same message id, as platforms retry webhooks.
 * Afterwards every message is checked for exactly one reply that answers it.
 */
import { createHmac } from "node:crypto";
import type { ReplySink } from "./reply-sink";

export interface LoadOptions {
  /** The inbound webhook URL (`/hooks/:channelId` or the floor's `/hooks/floor`). */
  hookUrl: string;
  secret: string;
  sink: ReplySink;
  /** Prefix of message and sender ids; unique per run so runs never collide. */
  label: string;
  senders: number;
  messages: number;
  /** How long to wait for one reply before counting it lost. */
  replyTimeoutMs: number;
  /** After the last reply, how long to keep listening for late duplicates. */
  settleMs?: number;
  /** Spread the senders' first messages over this long, so they do not arrive in lockstep. */
  staggerMs?: number;
  /** Message text; defaults to a short line naming the message. */
  text?: (sender: number, index: number) => string;
}

export const defaultText = (label: string) => (s: number, i: number) => `bench message ${i} from sender ${s} (${label})`;

export interface LoadResult {
  messages: number;
  senders: number;
  /** First POST to last reply. */
  durationMs: number;
  messagesPerSecond: number;
  /** Webhook POST to its 200, per message (last attempt). */
  ackMs: number[];
  /** Webhook POST (first attempt) to the reply's arrival at the sink. */
  replyMs: number[];
  /** POSTs that failed or were refused and were sent again. */
  ackRetries: number;
  /** Messages never acknowledged with a 200. */
  unacknowledged: number;
  /** Messages without any reply. */
  lost: number;
  /** Extra replies beyond the first, summed over messages. */
  duplicated: number;
  /** Replies that do not contain the message they answer. */
  mismatched: number;
  redeliveries: number;
}

/** The generic webhook body the load sends: sender `s`'s `i`-th message of a run. */
export function benchMessage(label: string, s: number, i: number, text: string) {
  return { messageId: `${label}-${s}-${i}`, sender: { id: `${label}-sender-${s}`, name: `Bench ${s}` }, text };
}

const MAX_ATTEMPTS = 5;
const RETRY_DELAY_MS = 250;

function signedRequest(secret: string, body: string): RequestInit {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  return {
    method: "POST",
    body,
    headers: { "content-type": "application/json", "x-loopgate-timestamp": timestamp, "x-loopgate-signature": `sha256=${signature}` },
  };
}

/** POSTs until a 200 (or gives up); returns the last attempt's latency, or null if never acknowledged. */
export async function postWithRetries(url: string, secret: string, body: string, onRetry: () => void): Promise<number | null> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const started = performance.now();
    let ok = false;
    try {
      const res = await fetch(url, signedRequest(secret, body));
      await res.arrayBuffer();
      ok = res.status === 200;
    } catch {
      // connection refused or dropped mid-answer: the platform retries
    }
    if (ok) return performance.now() - started;
    if (attempt < MAX_ATTEMPTS) {
      onRetry();
      await new Promise((r) => setTimeout(r, RETRY_DELAY_MS * attempt));
    }
  }
  return null;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { sink, senders, messages } = options;
  const text = options.text ?? defaultText(options.label);
  const sent: { id: string; text: string }[] = [];
  const ackMs: number[] = [];
  const replyMs: number[] = [];
  let ackRetries = 0;
  let unacknowledged = 0;
  const redeliveriesBefore = sink.counts().redeliveries;
  const started = performance.now();
  let lastReplyAt = started;

  async function sender(s: number) {
    const count = Math.floor(messages / senders) + (s < messages % senders ? 1 : 0);
    const stagger = options.staggerMs ?? 0;
    if (stagger) await new Promise((r) => setTimeout(r, (s * stagger) / senders));
    for (let i = 0; i < count; i++) {
      const message = benchMessage(options.label, s, i, text(s, i));
      const id = message.messageId;
      sent.push({ id, text: message.text });
      const postedAt = performance.now();
      const replied = sink.waitForReply(id, options.replyTimeoutMs);
      const ack = await postWithRetries(options.hookUrl, options.secret, JSON.stringify(message), () => ackRetries++);
      if (ack === null) unacknowledged++;
      else ackMs.push(ack);
      const reply = ack === null ? null : await replied;
      if (reply) {
        replyMs.push(reply.at - postedAt);
        lastReplyAt = Math.max(lastReplyAt, reply.at);
      }
    }
  }
  await Promise.all(Array.from({ length: senders }, (_, s) => sender(s)));
  await new Promise((r) => setTimeout(r, options.settleMs ?? 1000));

  let lost = 0;
  let duplicated = 0;
  let mismatched = 0;
  for (const m of sent) {
    const replies = sink.repliesTo(m.id);
    if (replies.length === 0) lost++;
    duplicated += Math.max(0, replies.length - 1);
    mismatched += replies.filter((r) => !r.text.includes(m.text)).length;
  }
  const durationMs = lastReplyAt - started;
  return {
    messages: sent.length,
    senders,
    durationMs,
    messagesPerSecond: (replyMs.length * 1000) / durationMs,
    ackMs,
    replyMs,
    ackRetries,
    unacknowledged,
    lost,
    duplicated,
    mismatched,
    redeliveries: sink.counts().redeliveries - redeliveriesBefore,
  };
}
