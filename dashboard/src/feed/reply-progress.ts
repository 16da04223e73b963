/**
 * Replies being written: a turn that streams (docs/streaming.md) pushes `reply.progress` frames
 * with the reply so far to the live feed; they are never stored, so they are kept here apart
 * from the feed's rows, one per turn (the newest text wins), and dropped when the turn's reply
 * is delivered or fails, or when nothing has changed for a while (a turn that ended otherwise).
 */
/** The fields of a feed event (api/types.ts FeedEvent) this reads; kept structural so plain-Node tests need no API types. */
export interface FeedFrame {
  kind: string;
  channelId: string | null;
  senderId: string | null;
  detail: { readonly [key: string]: unknown };
}

export interface ReplyInProgress {
  turnId: string;
  channelId: string;
  senderId: string;
  /** The platform id of the message being answered (the playground's own message id on the web chat). */
  inReplyTo: string | null;
  text: string;
  /** When the newest text arrived (ms, browser clock). */
  seenAt: number;
}

/** A turn whose preview has not changed for this long has ended without saying so to this page. */
export const PROGRESS_STALE_MS = 120_000;

export function progressOf(e: FeedFrame, now = Date.now()): ReplyInProgress | null {
  if (e.kind !== "reply.progress" || !e.channelId || !e.senderId) return null;
  const { turnId, inReplyTo, text } = e.detail;
  if (typeof turnId !== "string" || typeof text !== "string") return null;
  return { turnId, channelId: e.channelId, senderId: e.senderId, inReplyTo: typeof inReplyTo === "string" ? inReplyTo : null, text, seenAt: now };
}

/** The turn a delivery event settles: its chunks are numbered `<turn>:<0000>`. */
function settledTurn(e: FeedFrame): string | null {
  if (e.kind !== "reply.delivered" && e.kind !== "reply.failed") return null;
  const id = e.detail.deliveryId;
  return typeof id === "string" ? id.replace(/:\d{4}$/, "") : null;
}

/** The list after some frames: progress replaces its turn's entry, a settled turn leaves, stale ones go. */
export function applyFrames(current: readonly ReplyInProgress[], frames: readonly FeedFrame[], now = Date.now()): ReplyInProgress[] {
  const byTurn = new Map(current.filter((p) => now - p.seenAt < PROGRESS_STALE_MS).map((p) => [p.turnId, p]));
  const settled = new Set<string>();
  for (const e of frames) {
    const p = progressOf(e, now);
    if (p && !settled.has(p.turnId)) byTurn.set(p.turnId, p);
    const done = settledTurn(e);
    if (done) {
      settled.add(done);
      byTurn.delete(done);
    }
  }
  return [...byTurn.values()];
}
