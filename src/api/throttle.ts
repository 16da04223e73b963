/** Sliding-window limits backed by Throttle objects: API requests per IP, failed logins. */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";
import { clientIp } from "./client-ip";
import { fail } from "./errors";
import { throttle } from "../objects/addresses";

export async function throttleHit(env: Env, key: string, max: number, windowMs: number, count = true) {
  return throttle(env, key).hit(max, windowMs, count);
}

export function tooMany(retryAfterMs: number, what: string): never {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  fail(429, `${what}; retry in ${seconds} s`, { "Retry-After": String(seconds) });
}

/** API_RATE_LIMIT_PER_MINUTE requests per minute per client IP on /api/*. */
export function apiRateLimit(): MiddlewareHandler<AppEnv> {
  return async function apiRateLimit(c: Context<AppEnv>, next) {
    const max = c.var.config.API_RATE_LIMIT_PER_MINUTE;
    const result = await throttleHit(c.env, `api:${clientIp(c)}`, max, 60_000);
    if (!result.ok) tooMany(result.retryAfterMs, `rate limit of ${max} requests per minute exceeded`);
    await next();
  };
}
