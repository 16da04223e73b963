/**
 * Platform access tokens (Bot Framework, Google service account, Feishu tenant token), cached per
 * isolate until shortly before they expire. The cache key includes a digest of the credential,
 * so a changed secret never reuses a token issued for the old one; a rejected token is dropped.
 */
import { toHex, utf8 } from "../../crypto/encoding";

/** Tokens are renewed this long before their stated expiry (clock skew, slow requests). */
export const TOKEN_RENEW_MARGIN_MS = 5 * 60_000;

export interface IssuedToken {
  token: string;
  /** Lifetime in seconds, as the token endpoint states it. */
  expiresInSeconds: number;
}

const tokens = new Map<string, { token: string; expiresAt: number }>();
const pending = new Map<string, Promise<IssuedToken>>();

/** A stable cache key for an endpoint, a client id and its secret (the secret only as a digest). */
export async function tokenCacheKey(endpoint: string, clientId: string, secret: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", utf8.encode(secret));
  return `${endpoint}\n${clientId}\n${toHex(digest)}`;
}

/** The cached token for `key`, or a new one from `issue` (concurrent callers share one request). */
export async function cachedToken(key: string, now: number, issue: () => Promise<IssuedToken>): Promise<string> {
  const cached = tokens.get(key);
  if (cached && cached.expiresAt - TOKEN_RENEW_MARGIN_MS > now) return cached.token;
  let request = pending.get(key);
  if (!request) {
    request = issue().finally(() => pending.delete(key));
    pending.set(key, request);
  }
  const issued = await request;
  tokens.set(key, { token: issued.token, expiresAt: now + issued.expiresInSeconds * 1000 });
  return issued.token;
}

/** Forgets a token the platform refused (revoked, or the secret changed on the platform's side). */
export function dropToken(key: string): void {
  tokens.delete(key);
}
