/**
 * Bot Framework's inbound authentication: the `Authorization: Bearer` JWT must be signed by a key
 * from the OpenID metadata's jwks_uri (RS256), issued by https://api.botframework.com for
 * audience = the bot's app id, unexpired (5 minutes of clock skew), with a `serviceUrl` claim equal
 * to the activity's, and (when the key lists endorsements) a key endorsed for the activity's channel.
 * https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication#bot-to-connector
 */
import { cachedJson, verifyJwt } from "../shared/jwks-cache";

export const BOT_FRAMEWORK_OPENID_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration";
export const BOT_FRAMEWORK_ISSUER = "https://api.botframework.com";
/** Bot Framework's documented tolerance for clock skew. */
export const CLOCK_SKEW_SECONDS = 5 * 60;

export interface TeamsAuthInput {
  token: string;
  appId: string;
  openIdMetadataUrl: string;
  /** The activity's serviceUrl and channelId, which the token must cover. */
  serviceUrl: string;
  channelId: string;
  fetch: typeof fetch;
  now: number;
}

export type TeamsAuthCheck = { ok: true } | { ok: false; error: string };

/** Trailing slashes differ between Teams' claim and activity (both name the same service). */
function sameServiceUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, "").toLowerCase() === b.replace(/\/+$/, "").toLowerCase();
}

export async function verifyTeamsToken(input: TeamsAuthInput): Promise<TeamsAuthCheck> {
  let jwksUri: unknown;
  try {
    jwksUri = ((await cachedJson(input.openIdMetadataUrl, input.fetch, input.now)) as { jwks_uri?: unknown }).jwks_uri;
  } catch (err) {
    return { ok: false, error: `OpenID metadata unavailable: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (typeof jwksUri !== "string") return { ok: false, error: "OpenID metadata has no jwks_uri" };
  const check = await verifyJwt(input.token, {
    keySetUrl: jwksUri,
    issuers: [BOT_FRAMEWORK_ISSUER],
    audience: input.appId,
    clockToleranceSeconds: CLOCK_SKEW_SECONDS,
    fetch: input.fetch,
    now: input.now,
  });
  if (!check.ok) return check;
  const claimed = check.payload.serviceurl ?? check.payload.serviceUrl;
  if (typeof claimed !== "string" || !sameServiceUrl(claimed, input.serviceUrl))
    return { ok: false, error: "the token's serviceUrl claim does not match the activity's serviceUrl" };
  const endorsements = check.key.endorsements;
  if (Array.isArray(endorsements) && !endorsements.includes(input.channelId))
    return { ok: false, error: `the signing key is not endorsed for channel ${input.channelId}` };
  return { ok: true };
}
