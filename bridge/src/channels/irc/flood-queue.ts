/**
 * Flood protection for IRC: servers disconnect clients that send too fast ("Excess Flood").
 * A token bucket: `burst` lines go out at once, then one line per `intervalMs`.
 */
export class FloodQueue {
  private tokens: number;
  private lastRefill = Date.now();
  private readonly queue: { send: () => void; done: (sent: boolean) => void }[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly burst: number,
    private readonly intervalMs: number,
  ) {
    this.tokens = burst;
  }

  /** Resolves true when the line has been handed to the socket, false when it was dropped by clear(). */
  push(send: () => void): Promise<boolean> {
    return new Promise((done) => {
      this.queue.push({ send, done });
      this.drain();
    });
  }

  /** Drops queued lines (the connection they were for is gone). */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const item of this.queue.splice(0)) item.done(false);
  }

  private drain(): void {
    if (this.timer) return;
    this.refill();
    while (this.queue.length && this.tokens >= 1) {
      this.tokens -= 1;
      const item = this.queue.shift()!;
      item.send();
      item.done(true);
    }
    if (this.queue.length) {
      this.timer = setTimeout(
        () => {
          this.timer = null;
          this.drain();
        },
        Math.max(1, this.intervalMs - (Date.now() - this.lastRefill)),
      );
    }
  }

  private refill(): void {
    if (this.intervalMs === 0) {
      this.tokens = this.burst;
      return;
    }
    const now = Date.now();
    const earned = Math.floor((now - this.lastRefill) / this.intervalMs);
    if (earned > 0) {
      this.tokens = Math.min(this.burst, this.tokens + earned);
      this.lastRefill += earned * this.intervalMs;
    }
    if (this.tokens >= this.burst) this.lastRefill = now;
  }
}
