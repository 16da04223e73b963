/**
 * Throttle: one object per limited key (a client IP, a username), holding an exact sliding
 * window. Backs the 120 requests/minute API limit and the failed-login limits.
 */
import { DurableObject } from "cloudflare:workers";

export interface ThrottleResult {
  ok: boolean;
  retryAfterMs: number;
}

export class Throttle extends DurableObject<Env> {
  private hits: number[];

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS hits (at INTEGER NOT NULL)");
    this.hits = ctx.storage.sql
      .exec<{ at: number }>("SELECT at FROM hits ORDER BY at")
      .toArray()
      .map((r) => r.at);
  }

  /** Counts one hit when under `max` in the last `windowMs`; `count: false` only checks. */
  async hit(max: number, windowMs: number, count = true): Promise<ThrottleResult> {
    const now = Date.now();
    const cutoff = now - windowMs;
    if ((this.hits[0] ?? now) <= cutoff) {
      this.hits = this.hits.filter((t) => t > cutoff);
      this.ctx.storage.sql.exec("DELETE FROM hits WHERE at <= ?", cutoff);
    }
    if (this.hits.length >= max) return { ok: false, retryAfterMs: (this.hits[0] ?? now) + windowMs - now };
    if (count) {
      this.hits.push(now);
      this.ctx.storage.sql.exec("INSERT INTO hits (at) VALUES (?)", now);
    }
    return { ok: true, retryAfterMs: 0 };
  }

  /** Forgets the window (a successful login clears that username's failures). */
  async clear(): Promise<void> {
    this.hits = [];
    this.ctx.storage.sql.exec("DELETE FROM hits");
  }
}
