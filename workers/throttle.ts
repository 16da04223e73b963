/**
 * Throttle: one object per limited key (a client, a username, a channel), holding an exact
 * sliding window. Backs the 120 requests/minute API limit and the guess limits (logins,
 * password checks, pairing codes; src/lib/attempt-limit.ts).
 */
import { DurableObject } from "cloudflare:workers";

export interface ThrottleResult {
  ok: boolean;
  retryAfterMs: number;
  /** When the hit was counted (0 when it was not): hand it to `release` to take that hit back. */
  at: number;
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

  /** Counts one hit when under `max` in the last `windowMs`. */
  async hit(max: number, windowMs: number): Promise<ThrottleResult> {
    const now = Date.now();
    const cutoff = now - windowMs;
    if ((this.hits[0] ?? now) <= cutoff) {
      this.hits = this.hits.filter((t) => t > cutoff);
      this.ctx.storage.sql.exec("DELETE FROM hits WHERE at <= ?", cutoff);
    }
    if (this.hits.length >= max) return { ok: false, retryAfterMs: (this.hits[0] ?? now) + windowMs - now, at: 0 };
    this.hits.push(now);
    this.ctx.storage.sql.exec("INSERT INTO hits (at) VALUES (?)", now);
    return { ok: true, retryAfterMs: 0, at: now };
  }

  /**
   * Takes back one hit counted at `at`. Logins count every attempt before the password is
   * checked (so parallel guesses cannot all slip under the limit) and release it when it succeeds.
   */
  async release(at: number): Promise<void> {
    const i = this.hits.indexOf(at);
    if (i < 0) return;
    this.hits.splice(i, 1);
    this.ctx.storage.sql.exec("DELETE FROM hits WHERE rowid = (SELECT rowid FROM hits WHERE at = ? LIMIT 1)", at);
  }
}
