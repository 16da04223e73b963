/**
 * Stage 7 as the person sees it (docs/streaming.md): while the agent's turn runs, the channel's
 * typing indicator is shown and renewed, and on channels that stream, the reply grows in one
 * message edited at the platform's pace (src/channels/shared/edit-pacer.ts). The message is
 * written down per turn (`live_reply`) as soon as the platform names it, so a turn run again
 * after a crash or a model retry edits that same message, and the delivery
 * (sender-session-delivery.ts) makes the finished reply its last edit: one message per reply.
 * On a channel a bridge serves, the reply so far is handed to the bridge instead (at the
 * adapter's pace, only while it is connected), which posts, edits and finishes the message.
 */
import { EditPacer } from "../src/channels/shared/edit-pacer";
import type { ChannelAdapter, ChannelContext, RelayedStreaming, ReplyTarget, SendResult } from "../src/channels/shared/types";
import { createLogger } from "../src/lib/log";

const log = createLogger("live-reply");

/** Outbox ids are `<turn id>:<chunk>`, the chunk zero-padded to four digits (sender-session.ts); the first chunk finishes a streamed message. */
export function firstChunkId(turnId: string): string {
  return `${turnId}:0000`;
}

/** A first message needs this many characters: the person sees a start of an answer, not a letter. */
const MIN_FIRST_CHARS = 20;

export type LiveReplyRow = {
  message_id: string;
  shown: string;
};

/** The message a turn's streamed reply was posted as, if it was. */
export function liveReplyOf(sql: SqlStorage, turnId: string): LiveReplyRow | null {
  return sql.exec<LiveReplyRow>("SELECT message_id, shown FROM live_reply WHERE turn_id = ?", turnId).toArray()[0] ?? null;
}

export function saveLiveReply(sql: SqlStorage, turnId: string, channelId: string, messageId: string, shown: string, now: number): void {
  sql.exec(
    `INSERT INTO live_reply (turn_id, channel_id, message_id, shown, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (turn_id) DO UPDATE SET shown = excluded.shown, updated_at = excluded.updated_at`,
    turnId,
    channelId,
    messageId,
    shown,
    now,
  );
}

/** A preview longer than one message is cut; the delivery splits the finished reply as usual. */
function preview(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}

export interface LiveReplyOptions {
  sql: SqlStorage;
  adapter: ChannelAdapter<unknown>;
  ctx: ChannelContext<unknown>;
  target: ReplyTarget;
  turnId: string;
  /**
   * The platform took a change: the reply as the person now sees it. The live feed shows it as a
   * reply in progress (and the dashboard's playground grows its answer from it).
   */
  onShown?: (text: string) => void;
}

export class LiveReply {
  private readonly pacer: EditPacer | null;
  /** Set for a bridge channel that streams: changes go to the bridge, which owns the message. */
  private readonly relayed: RelayedStreaming<unknown> | undefined;
  private messageId: string | null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private typingTimer: ReturnType<typeof setInterval> | undefined;
  private inFlight: Promise<void> | null = null;
  private closed = false;
  /** On append-only platforms: the last text offered, which every later change must extend. */
  private grown = "";
  private readonly appendOnly: boolean;

  constructor(private readonly o: LiveReplyOptions) {
    const streaming = o.adapter.streaming && (o.adapter.streaming.supports?.(o.target) ?? true) ? o.adapter.streaming : undefined;
    // A turn that ran before (a crash, a retried alarm) already has its message: edits continue it.
    const earlier = streaming ? liveReplyOf(o.sql, o.turnId) : null;
    this.messageId = earlier?.message_id ?? null;
    this.appendOnly = streaming?.appendOnly === true;
    this.grown = earlier?.shown ?? "";
    this.relayed = streaming ? undefined : o.adapter.relayedStreaming;
    this.pacer = streaming
      ? new EditPacer({ minIntervalMs: streaming.minEditIntervalMs(o.target, o.ctx.config), minFirstChars: this.messageId ? 0 : MIN_FIRST_CHARS })
      : this.relayed
        ? new EditPacer({ minIntervalMs: this.relayed.minIntervalMs, minFirstChars: MIN_FIRST_CHARS })
        : null;
  }

  /** Whether the turn should report its text as it grows. */
  get streams(): boolean {
    return this.pacer !== null;
  }

  /** Shows the typing indicator now and renews it until `finish`; never awaited, never fails the turn. */
  begin(): void {
    const typing = this.o.adapter.typing;
    if (!typing) return;
    const show = () => void typing.show(this.o.target, this.o.ctx).catch(() => undefined);
    show();
    this.typingTimer = setInterval(show, typing.renewEveryMs);
  }

  /** The reply so far (TurnRequest.onText). */
  readonly text = (textSoFar: string): void => {
    if (this.closed || !this.pacer) return;
    const text = preview(textSoFar, this.o.adapter.maxMessageLength);
    if (this.appendOnly) {
      // A retried request catching up, or a new step's text: it waits, and the finished reply replaces all.
      // The same text again (a re-run reaching what the platform shows) is nothing to send.
      if (text === this.grown || !text.startsWith(this.grown)) return;
      this.grown = text;
    }
    this.pacer.offer(text);
    this.kick();
  };

  /**
   * The turn is over: no more changes, the one in flight is answered, and the platform's interval
   * has passed, so the final edit that follows is accepted rather than rate-limited.
   */
  async finish(): Promise<void> {
    this.closed = true;
    clearInterval(this.typingTimer);
    clearTimeout(this.timer);
    await this.inFlight;
    const quiet = this.messageId && this.pacer ? this.pacer.quietMs(Date.now()) : 0;
    if (quiet > 0) await new Promise((resolve) => setTimeout(resolve, quiet));
  }

  /** Sends the newest text when the pacer allows, or arms a timer for when it will. */
  private kick(): void {
    const pacer = this.pacer;
    if (this.closed || !pacer || this.inFlight) return;
    const wait = pacer.waitMs(Date.now());
    if (wait === null) return;
    if (wait > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.kick();
      }, wait);
      return;
    }
    const text = pacer.take();
    this.inFlight = this.push(pacer, text).finally(() => {
      this.inFlight = null;
      this.kick();
    });
  }

  private async push(pacer: EditPacer, text: string): Promise<void> {
    if (this.relayed) return this.relay(this.relayed, pacer, text);
    // Only reached when the constructor found streaming supported for this conversation.
    const streaming = this.o.adapter.streaming!;
    const message = { ...this.o.target, text, deliveryId: `${this.o.turnId}:live` };
    let result: SendResult;
    try {
      result = this.messageId ? await streaming.edit(message, this.messageId, this.o.ctx) : await streaming.start(message, this.o.ctx);
    } catch (err) {
      result = { ok: false, retryable: true, error: err instanceof Error ? err.message : String(err) };
    }
    const now = Date.now();
    if (result.ok) {
      const id = this.messageId ?? result.platformMessageId;
      if (id) {
        this.messageId = id;
        saveLiveReply(this.o.sql, this.o.turnId, this.o.ctx.channelId, id, text, now);
        this.o.onShown?.(text);
      } else {
        // Without the message's id there is nothing to edit: the finished reply is sent whole.
        this.closed = true;
      }
      pacer.settled(now, { ok: true });
      return;
    }
    log.warn("streamed reply change failed", { channelId: this.o.ctx.channelId, turnId: this.o.turnId, error: result.error, retryable: result.retryable });
    // A change the platform will never take (a deleted message, no permission): the reply arrives whole at the end.
    if (!result.retryable) this.closed = true;
    pacer.settled(now, { ok: false, retryAfterMs: result.retryAfterMs });
  }

  /** To the bridge, named by the reply that will finish it; nothing is written here (the bridge keeps the message's id). */
  private async relay(relayed: RelayedStreaming<unknown>, pacer: EditPacer, text: string): Promise<void> {
    const message = { ...this.o.target, text, deliveryId: firstChunkId(this.o.turnId) };
    const taken = await relayed.relay(message, this.o.ctx).catch(() => false);
    // A bridge that is away misses this change and gets the next one, or the finished reply.
    pacer.settled(Date.now(), { ok: true });
    if (taken) this.o.onShown?.(text);
  }
}
