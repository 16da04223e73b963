/**
 * Bot Framework Connector over fetch: a bot token from Entra ID's client-credentials flow
 * (multi-tenant apps at the botframework.com tenant, single-tenant apps at their own), cached
 * until shortly before expiry, and activities posted to the conversation's serviceUrl. The one
 * place where the Connector's answers become SendResults.
 * https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication#bot-to-connector
 */
import { cachedToken, dropToken, tokenCacheKey } from "../shared/access-token-cache";
import { retryAfterMs } from "../shared/send-result";
import type { SendResult } from "../shared/types";

export const ENTRA_LOGIN_BASE = "https://login.microsoftonline.com";
/** Multi-tenant bots get their token from this tenant. */
export const BOT_FRAMEWORK_TENANT = "botframework.com";
export const BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default";

export interface TeamsCredentials {
  appId: string;
  appPassword: string;
  /** Single-tenant apps: their directory id; multi-tenant apps leave it out. */
  tenantId?: string;
  loginBase?: string;
  fetch: typeof fetch;
  now: number;
}

export function tokenUrl(creds: Pick<TeamsCredentials, "tenantId" | "loginBase">): string {
  return `${(creds.loginBase ?? ENTRA_LOGIN_BASE).replace(/\/$/, "")}/${encodeURIComponent(creds.tenantId ?? BOT_FRAMEWORK_TENANT)}/oauth2/v2.0/token`;
}

export class TokenError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** The bot's access token for the Connector, from the cache or the token endpoint. */
export async function botToken(creds: TeamsCredentials): Promise<string> {
  const url = tokenUrl(creds);
  return cachedToken(await tokenCacheKey(url, creds.appId, creds.appPassword), creds.now, async () => {
    const res = await creds.fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: creds.appId, client_secret: creds.appPassword, scope: BOT_FRAMEWORK_SCOPE }),
    });
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
    if (!res.ok || !body.access_token)
      throw new TokenError(
        `Entra ID refused the bot's credentials (HTTP ${res.status}: ${body.error ?? "no error code"})`,
        res.status === 429 || res.status >= 500,
      );
    return { token: body.access_token, expiresInSeconds: Number(body.expires_in) || 3600 };
  });
}

export async function forgetBotToken(creds: TeamsCredentials): Promise<void> {
  dropToken(await tokenCacheKey(tokenUrl(creds), creds.appId, creds.appPassword));
}

/** POSTs an activity to `{serviceUrl}/v3/conversations/{id}/activities[/{replyToId}]`. */
export async function postActivity(
  creds: TeamsCredentials,
  serviceUrl: string,
  conversationId: string,
  activity: Record<string, unknown>,
  replyToId?: string,
  signal?: AbortSignal,
): Promise<Response> {
  const base = `${serviceUrl.replace(/\/$/, "")}/v3/conversations/${encodeURIComponent(conversationId)}/activities`;
  const url = replyToId ? `${base}/${encodeURIComponent(replyToId)}` : base;
  return creds.fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json; charset=utf-8", authorization: `Bearer ${await botToken(creds)}` },
    body: JSON.stringify(activity),
    signal,
  });
}

/** PUTs an activity in place of `{serviceUrl}/v3/conversations/{id}/activities/{activityId}` (Update Activity). */
export async function updateActivity(
  creds: TeamsCredentials,
  serviceUrl: string,
  conversationId: string,
  activityId: string,
  activity: Record<string, unknown>,
): Promise<Response> {
  const url = `${serviceUrl.replace(/\/$/, "")}/v3/conversations/${encodeURIComponent(conversationId)}/activities/${encodeURIComponent(activityId)}`;
  return creds.fetch(url, {
    method: "PUT",
    headers: { "content-type": "application/json; charset=utf-8", authorization: `Bearer ${await botToken(creds)}` },
    body: JSON.stringify({ ...activity, id: activityId }),
  });
}

/**
 * Maps a Connector answer, or what was thrown on the way (token endpoint, network): 429
 * (Retry-After) and 5xx are retried, other 4xx are final.
 */
export async function teamsSendResult(res: Response | unknown, creds: TeamsCredentials): Promise<SendResult> {
  if (!(res instanceof Response)) {
    if (res instanceof TokenError) return { ok: false, retryable: res.retryable, error: res.message };
    return { ok: false, retryable: true, error: `network error: ${res instanceof Error ? res.message : String(res)}` };
  }
  const text = await res.text().catch(() => "");
  let json: { id?: string; error?: { code?: string; message?: string } } = {};
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    // not JSON: judged by the status alone
  }
  if (res.ok) return { ok: true, platformMessageId: json.id };
  const error = `Bot Framework HTTP ${res.status}: ${json.error?.code ?? "error"}${json.error?.message ? ` ${json.error.message.slice(0, 200)}` : ""}`;
  // A refused token is not used again; the next attempt fetches a new one.
  if (res.status === 401) await forgetBotToken(creds);
  if (res.status === 429) return { ok: false, retryable: true, retryAfterMs: retryAfterMs(res.headers.get("retry-after"), creds.now), error };
  return { ok: false, retryable: res.status >= 500, error };
}
