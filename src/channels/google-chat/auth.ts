/**
 * Google Chat's inbound authentication, for both "Authentication Audience" settings of a Chat app:
 * - project number: a JWT issued by chat@system.gserviceaccount.com, audience = the Cloud project
 *   number, signed by a key Google publishes for that service account;
 * - HTTP endpoint URL: a Google ID token (issuer accounts.google.com), audience = the app's
 *   endpoint URL, `email` = chat@system.gserviceaccount.com with `email_verified` true.
 * https://developers.google.com/workspace/chat/verify-requests-from-chat
 */
import { verifyJwt } from "../shared/jwks-cache";

export const CHAT_SERVICE_ACCOUNT = "chat@system.gserviceaccount.com";
/** The Chat service account's public keys as JWKs (the same keys as its published X.509 certificates). */
export const CHAT_CERTS_URL = `https://www.googleapis.com/service_accounts/v1/jwk/${CHAT_SERVICE_ACCOUNT}`;
/** Google's ID-token signing keys. */
export const GOOGLE_ID_TOKEN_CERTS_URL = "https://www.googleapis.com/oauth2/v3/certs";
const ID_TOKEN_ISSUERS = ["https://accounts.google.com", "accounts.google.com"];
/** Google's libraries allow a few minutes of skew; one is enough for Google's own clocks. */
const CLOCK_SKEW_SECONDS = 60;

export type ChatAudience =
  | { kind: "project-number"; projectNumber: string; certsUrl: string }
  | { kind: "endpoint-url"; endpointUrl: string; certsUrl: string };

export type ChatAuthCheck = { ok: true } | { ok: false; error: string };

export async function verifyChatToken(token: string, audience: ChatAudience, fetcher: typeof fetch, now: number): Promise<ChatAuthCheck> {
  if (audience.kind === "project-number") {
    const check = await verifyJwt(token, {
      keySetUrl: audience.certsUrl,
      issuers: [CHAT_SERVICE_ACCOUNT],
      audience: audience.projectNumber,
      clockToleranceSeconds: CLOCK_SKEW_SECONDS,
      fetch: fetcher,
      now,
    });
    return check.ok ? { ok: true } : check;
  }
  const check = await verifyJwt(token, {
    keySetUrl: audience.certsUrl,
    issuers: ID_TOKEN_ISSUERS,
    audience: audience.endpointUrl,
    clockToleranceSeconds: CLOCK_SKEW_SECONDS,
    fetch: fetcher,
    now,
  });
  if (!check.ok) return check;
  if (check.payload.email !== CHAT_SERVICE_ACCOUNT) return { ok: false, error: `the ID token is not for ${CHAT_SERVICE_ACCOUNT}` };
  if (check.payload.email_verified !== true) return { ok: false, error: "the ID token's email is not verified" };
  return { ok: true };
}
