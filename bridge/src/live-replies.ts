/**
 * Streamed replies on the bridge (docs/streaming.md, bridge channels): the gateway sends the
 * reply so far of a running turn (`reply.progress` frames, only while connected); here the first
 * one is posted on the platform, its message id written down (live-reply-log.ts) before anything
 * else happens, and later ones edit it at the platform's pace (the shared EditPacer: only the
 * newest text goes, a rate limit's retry-after is waited out). The finished reply arrives as an
 * ordinary reply frame with the same id, exactly once; `finish` makes it the message's last
 * edit, or says it must be posted whole when nothing was streamed or the message is gone.
 */
import type { BridgeProgress, BridgeReply } from "../../src/protocol/bridge";
import { EditPacer } from "../../src/channels/shared/edit-pacer";
import type { Logger } from "../../src/lib/log";
import type { DeliveryOutcome, EditableMessages } from "./channels/shared/types";
import { LiveReplyLog } from "./live-reply-log";

interface Live {
  channelId: string;
  platform: EditableMessages;
  /** Where the reply goes and the reply's id, from the newest frame. */
  target: BridgeReply;
  pacer: EditPacer;
  messageId: string | null;
  inFlight: Promise<void> | null;
  timer: NodeJS.Timeout | undefined;
  /** No more changes: the finished reply arrived, or the platform will not take them. */
  closed: boolean;
  /** When the last frame came (ms): a turn that never finished is forgotten after a while. */
  touchedAt: number;
}

/** A turn with no change for this long ended without a reply here (failed, or its bridge changed): its state in memory goes. */
const IDLE_FORGET_MS = 3600_000;

export class LiveReplies {
  private readonly log: LiveReplyLog;
  private readonly live = new Map<string, Live>();

  constructor(
    dataDir: string,
    private readonly logger: Logger,
  ) {
    this.log = new LiveReplyLog(dataDir);
  }

  /** A change of a running turn's reply, for a channel whose platform edits messages. */
  progress(frame: BridgeProgress, platform: EditableMessages): void {
    const { replyId, text, ...where } = frame;
    const stored = this.log.get(replyId);
    if (stored?.gone) return;
    let live = this.live.get(replyId);
    if (!live) {
      this.forgetIdle();
      live = {
        channelId: frame.channelId,
        platform,
        target: { id: replyId, ...where, text: "" },
        // The gateway held back the first few characters already; a message from before a restart is edited at once.
        pacer: new EditPacer({ minIntervalMs: platform.minEditIntervalMs({ id: replyId, ...where, text }), minFirstChars: 0 }),
        messageId: stored?.messageId ?? null,
        inFlight: null,
        timer: undefined,
        closed: false,
        touchedAt: Date.now(),
      };
      this.live.set(replyId, live);
    }
    if (live.closed) return;
    // The channel may have been restarted (its config changed): the running one takes the edits.
    live.platform = platform;
    live.touchedAt = Date.now();
    live.target = { id: replyId, ...where, text: "" };
    live.pacer.offer(text);
    this.kick(live);
  }

  /**
   * The finished reply for `reply.id`: the streamed message's last edit. Null when nothing was
   * streamed or the message can no longer be edited: then the reply is to be posted whole.
   * A retryable outcome (the platform is away or rate-limits) is retried by the caller.
   */
  async finish(reply: BridgeReply, platform: EditableMessages): Promise<DeliveryOutcome | null> {
    const live = this.live.get(reply.id);
    if (live) {
      live.closed = true;
      clearTimeout(live.timer);
      await live.inFlight;
      const quiet = live.pacer.quietMs(Date.now());
      if (quiet > 0) await new Promise((resolve) => setTimeout(resolve, quiet));
    }
    const stored = this.log.get(reply.id);
    const messageId = live?.messageId ?? (stored?.gone ? null : (stored?.messageId ?? null));
    if (!messageId) return null;
    const outcome = await platform.edit(reply, messageId).catch((err: unknown): DeliveryOutcome => ({ ok: false, retryable: true, error: String(err) }));
    if (outcome.ok || outcome.retryable) {
      if (outcome.ok) this.live.delete(reply.id);
      return outcome;
    }
    this.logger.warn("streamed message cannot be edited; the reply is posted whole", { replyId: reply.id, messageId, error: outcome.error });
    this.markGone(reply.id, live?.channelId ?? stored?.channelId ?? reply.channelId, messageId);
    this.live.delete(reply.id);
    return null;
  }

  /** Stops the timers (the bridge is stopping); what was written down stays. */
  stop(): void {
    for (const live of this.live.values()) {
      live.closed = true;
      clearTimeout(live.timer);
    }
  }

  private forgetIdle(): void {
    const before = Date.now() - IDLE_FORGET_MS;
    for (const [id, live] of this.live)
      if (live.touchedAt < before && !live.inFlight) {
        clearTimeout(live.timer);
        this.live.delete(id);
      }
  }

  /** Sends the newest text when the pacer allows, or arms a timer for when it will. */
  private kick(live: Live): void {
    if (live.closed || live.inFlight) return;
    const wait = live.pacer.waitMs(Date.now());
    if (wait === null) return;
    if (wait > 0) {
      live.timer ??= setTimeout(() => {
        live.timer = undefined;
        this.kick(live);
      }, wait);
      return;
    }
    const text = live.pacer.take();
    live.inFlight = this.push(live, text).finally(() => {
      live.inFlight = null;
      this.kick(live);
    });
  }

  private async push(live: Live, text: string): Promise<void> {
    const reply = { ...live.target, text };
    const failed = (err: unknown): DeliveryOutcome => ({ ok: false, retryable: true, error: String(err) });
    if (live.messageId === null) {
      const posted = await live.platform.post(reply).catch(failed);
      const now = Date.now();
      if (posted.ok && "messageId" in posted) {
        live.messageId = posted.messageId;
        // Written down before the next change (or the finished reply) can go: that one edits this message.
        const unsaved = this.log.set(reply.id, { channelId: live.channelId, messageId: posted.messageId, at: now });
        if (unsaved) this.logger.warn("streamed message remembered in memory only", { replyId: reply.id, error: unsaved.message });
        live.pacer.settled(now, { ok: true });
        return;
      }
      this.settleFailure(live, posted);
      return;
    }
    const edited = await live.platform.edit(reply, live.messageId).catch(failed);
    if (edited.ok) live.pacer.settled(Date.now(), { ok: true });
    else this.settleFailure(live, edited);
  }

  private settleFailure(live: Live, outcome: DeliveryOutcome): void {
    if (outcome.ok) return;
    this.logger.warn("streamed reply change failed", { replyId: live.target.id, error: outcome.error, retryable: outcome.retryable });
    // A change the platform will never take: the finished reply still arrives, edited in or posted whole.
    if (!outcome.retryable) live.closed = true;
    live.pacer.settled(Date.now(), { ok: false, retryAfterMs: outcome.retryAfterMs });
  }

  private markGone(replyId: string, channelId: string, messageId: string): void {
    const unsaved = this.log.set(replyId, { channelId, messageId, at: Date.now(), gone: true });
    if (unsaved) this.logger.warn("gone streamed message remembered in memory only", { replyId, error: unsaved.message });
  }
}
