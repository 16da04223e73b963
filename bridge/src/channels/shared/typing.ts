/**
 * The "typing…" indicator a bridge channel shows while the agent works (docs/streaming.md):
 * started when a message is handed to the gateway, renewed before the platform lets it lapse,
 * stopped when the reply goes out, and given up after a cap so a stuck turn does not look
 * like endless typing. The platform call is the channel's `ping`; platforms with an explicit
 * "stopped typing" call (Matrix, Signal, WhatsApp) pass it as `end`. Failures are ignored: a
 * missing indicator must never hold up or fail a reply.
 */

export interface TypingOptions {
  /** Shows the indicator in `target` (a chat, room or channel id) once. */
  ping(target: string): Promise<unknown>;
  /** Clears it at once, where the platform has such a call; otherwise it lapses on its own. */
  end?(target: string): Promise<unknown>;
  /** How often `ping` is repeated: a little under how long the platform shows it. */
  renewMs: number;
  /** The longest the indicator is kept up for one message. */
  maxMs: number;
}

/** Discord, Telegram and the others cap it at two minutes, as Teams does for an orphaned stream. */
export const DEFAULT_MAX_TYPING_MS = 120_000;

export class TypingIndicator {
  private readonly active = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: TypingOptions) {}

  start(target: string): void {
    this.clear(target);
    const until = Date.now() + this.options.maxMs;
    this.ping(target);
    const timer = setInterval(() => (Date.now() > until ? this.stop(target) : this.ping(target)), this.options.renewMs);
    this.active.set(target, timer);
  }

  /** The reply went out (or the cap was reached): no more renewals, and the platform's "stopped" call if it has one. */
  stop(target: string): void {
    if (!this.clear(target)) return;
    if (this.options.end) void this.options.end(target).catch(() => undefined);
  }

  /** The channel is stopping: renewals end; whatever shows lapses on the platform's own clock. */
  stopAll(): void {
    for (const target of [...this.active.keys()]) this.clear(target);
  }

  isActive(target: string): boolean {
    return this.active.has(target);
  }

  private ping(target: string): void {
    void this.options.ping(target).catch(() => undefined);
  }

  private clear(target: string): boolean {
    const timer = this.active.get(target);
    if (!timer) return false;
    clearInterval(timer);
    this.active.delete(target);
    return true;
  }
}
