/**
 * The API's side of the live feed: opening a socket for an authenticated request (the feed
 * object learns which token it belongs to) and closing sockets when their credential goes
 * away. One feed object, named `global`, serves every dashboard.
 */
import type { Context } from "hono";
import type { AppEnv } from "./context";
import { liveFeed } from "../objects/addresses";

/** Close code a dashboard sees when its token was revoked or expired: log in again, do not retry. */
export const FEED_CLOSE_REVOKED = 4001;

/** How often the feed re-checks every open socket's token against D1. */
export const LIVE_FEED_RECHECK_MS = 60_000;

/** Set by the API on the request it forwards to the feed object; whatever a client sent under these names is replaced. */
export const FEED_CREDENTIAL_HEADERS = {
  tokenHash: "x-loopgate-feed-token-hash",
  expiresAt: "x-loopgate-feed-expires-at",
} as const;

/** Hands the WebSocket upgrade to the feed object, tied to the request's token. */
export function openLiveFeed(c: Context<AppEnv>): Promise<Response> {
  const headers = new Headers(c.req.raw.headers);
  headers.set(FEED_CREDENTIAL_HEADERS.tokenHash, c.var.credential.hash);
  if (c.var.credential.expiresAt === null) headers.delete(FEED_CREDENTIAL_HEADERS.expiresAt);
  else headers.set(FEED_CREDENTIAL_HEADERS.expiresAt, String(c.var.credential.expiresAt));
  return liveFeed(c.env).fetch(new Request(c.req.raw, { headers }));
}

/**
 * Closes the sockets of revoked tokens. Best effort: the token is already gone from D1, so the
 * feed's periodic re-check closes anything a failure here leaves open.
 */
export async function closeFeedsOfTokens(env: Env, tokenHashes: string[]): Promise<void> {
  if (tokenHashes.length === 0) return;
  try {
    await liveFeed(env).closeTokens(tokenHashes);
  } catch (err) {
    console.warn(JSON.stringify({ msg: "closing live feeds of revoked tokens failed", error: String(err) }));
  }
}
