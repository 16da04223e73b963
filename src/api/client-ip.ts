/** The client's IP as Cloudflare reports it; every request through Cloudflare carries it. */
import type { Context } from "hono";

export function clientIp(c: Context): string {
  return c.req.header("cf-connecting-ip") ?? "unknown";
}
