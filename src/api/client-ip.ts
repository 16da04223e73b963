/**
 * Whom a request is counted against (API rate limit, login attempts). On Cloudflare the edge
 * sets CF-Connecting-IP and overwrites whatever the client sent; anywhere else (`npm start`,
 * which wrangler dev serves as is) the header is the client's own word, so it is ignored and
 * every direct client shares one key. IPv6 clients are keyed by their /64: one subscriber
 * usually holds a whole /64 and can rotate through it at will.
 */
import type { Context } from "hono";
import { addressKey } from "../lib/address-key";
import type { AppEnv } from "./context";

/** The key for the request's client: an IPv4 address, an IPv6 /64 prefix, or `direct`. */
export function clientKey(c: Context<AppEnv>): string {
  if (!c.var.config.TRUST_CF_CONNECTING_IP) return "direct";
  const ip = c.req.header("cf-connecting-ip")?.trim();
  return ip ? addressKey(ip) : "unknown";
}
