/**
 * The pace of a streamed reply (stage 7 → 8, docs/streaming.md): the model writes many small
 * deltas a second, a platform accepts about one change of a message a second (Telegram) or
 * fifty a minute (Slack's chat.update). The pacer keeps only the newest text, lets a change go
 * when the platform's interval has passed since the previous change was answered (so two
 * changes never arrive closer than the interval, whatever the network did), and waits out a
 * platform's retry-after. It holds no timers: its owner asks when the next change is due.
 */

export interface EditPacerOptions {
  /** Least time between the answer to one change and the next change. */
  minIntervalMs: number;
  /** Nothing is posted before the answer has this many characters (a first message of "I" helps no one). */
  minFirstChars: number;
}

export class EditPacer {
  /** The newest text not yet shown; null when what is shown is current. */
  private pending: string | null = null;
  /** The text the platform last accepted. */
  private shown = "";
  private inFlight: string | null = null;
  private notBefore = 0;

  constructor(private readonly options: EditPacerOptions) {}

  /** The model's reply so far; replaces any newer text that was not shown yet. */
  offer(text: string): void {
    this.pending = text === this.shown && this.inFlight === null ? null : text;
  }

  /** Whether anything was shown yet (the first change posts, later ones edit). */
  get started(): boolean {
    return this.shown !== "";
  }

  /** The text last accepted by the platform. */
  get current(): string {
    return this.shown;
  }

  /** Ms until the next change may go (0: now), or null when there is nothing to send or one is in flight. */
  waitMs(now: number): number | null {
    if (this.pending === null || this.inFlight !== null) return null;
    if (!this.started && this.pending.trim().length < this.options.minFirstChars) return null;
    return Math.max(0, this.notBefore - now);
  }

  /** Takes the text to send now; call only when `waitMs` said 0. */
  take(): string {
    const text = this.pending ?? this.shown;
    this.inFlight = text;
    this.pending = null;
    return text;
  }

  /** The platform answered the change `take` gave out, at `now`. */
  settled(now: number, outcome: { ok: true } | { ok: false; retryAfterMs?: number }): void {
    const text = this.inFlight;
    this.inFlight = null;
    this.notBefore = now + Math.max(this.options.minIntervalMs, outcome.ok ? 0 : (outcome.retryAfterMs ?? 0));
    if (text === null) return;
    if (outcome.ok) {
      this.shown = text;
      if (this.pending === text) this.pending = null;
    } else this.pending ??= text;
  }

  /** Ms until the platform accepts another change of the message (the final edit waits this long). */
  quietMs(now: number): number {
    return Math.max(0, this.notBefore - now);
  }
}
