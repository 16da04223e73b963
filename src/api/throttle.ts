/** Sliding-window limits backed by Throttle objects: API requests per client, login attempts. */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";
import { clientKey } from "./client-ip";
import { fail } from "./errors";

const LOGIN_WINDOW_MS = 15 * 60_000;

function throttle(env: Env, key: string) {
  return env.THROTTLE.get(env.THROTTLE.idFromName(key));
}

export async function throttleHit(env: Env, key: string, max: number, windowMs: number, count = true) {
  return throttle(env, key).hit(max, windowMs, count);
}

export function tooMany(retryAfterMs: number, what: string): never {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  fail(429, `${what}; retry in ${seconds} s`, { "Retry-After": String(seconds) });
}

export type LoginAttempt = { ok: true; release: () => Promise<void> } | { ok: false; retryAfterMs: number };

/**
 * Counts a login attempt against every key (client, username) BEFORE the password is checked:
 * each Throttle object counts atomically, so N parallel guesses take N places in the window and
 * only `max` of them get as far as a password check. A successful login calls `release` and
 * costs nothing; a refused key gives back the places already taken.
 */
export async function countLoginAttempt(env: Env, keys: string[], max: number): Promise<LoginAttempt> {
  const taken: { key: string; at: number }[] = [];
  const releaseAll = async () => {
    await Promise.all(taken.map((t) => throttle(env, t.key).release(t.at)));
  };
  for (const key of keys) {
    const r = await throttleHit(env, key, max, LOGIN_WINDOW_MS);
    if (!r.ok) {
      await releaseAll();
      return { ok: false, retryAfterMs: r.retryAfterMs };
    }
    taken.push({ key, at: r.at });
  }
  return { ok: true, release: releaseAll };
}

/** API_RATE_LIMIT_PER_MINUTE requests per minute per client on /api/*. */
export function apiRateLimit(): MiddlewareHandler<AppEnv> {
  return async function apiRateLimit(c: Context<AppEnv>, next) {
    const max = c.var.config.API_RATE_LIMIT_PER_MINUTE;
    const result = await throttleHit(c.env, `api:${clientKey(c)}`, max, 60_000);
    if (!result.ok) tooMany(result.retryAfterMs, `rate limit of ${max} requests per minute exceeded`);
    await next();
  };
}
