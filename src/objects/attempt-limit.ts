/**
 * Counting guesses (logins, password checks, `/pair` codes) against Throttle objects BEFORE
 * the guess is checked: each object counts atomically, so N parallel guesses take N places in
 * the window and only the allowed number are ever checked. A guess that turns out right gives
 * its places back with `release`; a refused key gives back the places already taken.
 */
import { throttle } from "./addresses";

export interface AttemptLimit {
  /** The Throttle object's name, e.g. `login-user:admin`. */
  key: string;
  max: number;
  windowMs: number;
}

export type CountedAttempt = { ok: true; release: () => Promise<void> } | { ok: false; retryAfterMs: number; refusedBy: string };

export async function countAttempt(env: Pick<Env, "THROTTLE">, limits: AttemptLimit[]): Promise<CountedAttempt> {
  const taken: { key: string; at: number }[] = [];
  const releaseAll = async () => {
    await Promise.all(taken.map((t) => throttle(env, t.key).release(t.at)));
  };
  for (const limit of limits) {
    const r = await throttle(env, limit.key).hit(limit.max, limit.windowMs);
    if (!r.ok) {
      await releaseAll();
      return { ok: false, retryAfterMs: r.retryAfterMs, refusedBy: limit.key };
    }
    taken.push({ key: limit.key, at: r.at });
  }
  return { ok: true, release: releaseAll };
}
