/** Sliding-window limits backed by Throttle objects: API requests per client, login attempts. */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";
import { clientKey } from "./client-ip";
import { fail } from "./errors";
import { type CountedAttempt, countAttempt } from "../objects/attempt-limit";
import { throttle } from "../objects/addresses";

const LOGIN_WINDOW_MS = 15 * 60_000;

export async function throttleHit(env: Env, key: string, max: number, windowMs: number) {
  return throttle(env, key).hit(max, windowMs);
}

export function tooMany(retryAfterMs: number, what: string): never {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  fail(429, `${what}; retry in ${seconds} s`, { "Retry-After": String(seconds) });
}

/** Counts a login (or password check) against each key before the password is checked; see countAttempt. */
export function countLoginAttempt(env: Env, keys: string[], max: number): Promise<CountedAttempt> {
  return countAttempt(
    env,
    keys.map((key) => ({ key, max, windowMs: LOGIN_WINDOW_MS })),
  );
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
