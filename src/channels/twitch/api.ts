/**
 * Twitch's Helix API over fetch (stage 8 and setup): an app access token from the client
 * credentials grant (cached per isolate until shortly before it expires), Helix calls with
 * Client-Id, and the one place where Helix answers become SendResults.
 * https://dev.twitch.tv/docs/authentication/getting-tokens-oauth/#client-credentials-grant-flow
 */
import { retryAfterMs } from "../shared/send-result";
import type { SendResult } from "../shared/types";

export const TWITCH_HELIX_BASE = "https://api.twitch.tv/helix";
export const TWITCH_AUTH_BASE = "https://id.twitch.tv";
/** Tokens are renewed this long before Twitch says they expire. */
const TOKEN_MARGIN_MS = 60_000;

export interface TwitchClient {
  clientId: string;
  clientSecret: string;
  apiBase?: string;
  authBase?: string;
  fetch: typeof fetch;
}

const appTokens = new Map<string, { token: string; expiresAt: number }>();

/** An app access token; `forget` drops a cached one that Twitch refused (401). */
export async function appAccessToken(client: TwitchClient, now = Date.now()): Promise<string> {
  const key = `${client.authBase ?? TWITCH_AUTH_BASE}|${client.clientId}|${client.clientSecret}`;
  const cached = appTokens.get(key);
  if (cached && cached.expiresAt > now) return cached.token;
  const params = new URLSearchParams({ client_id: client.clientId, client_secret: client.clientSecret, grant_type: "client_credentials" });
  const res = await client.fetch(`${(client.authBase ?? TWITCH_AUTH_BASE).replace(/\/$/, "")}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: params.toString(),
  });
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; message?: string };
  if (!res.ok || !body.access_token) throw new TwitchAuthError(`Twitch refused the client credentials: HTTP ${res.status} ${body.message ?? ""}`.trim());
  appTokens.set(key, { token: body.access_token, expiresAt: now + (body.expires_in ?? 3600) * 1000 - TOKEN_MARGIN_MS });
  return body.access_token;
}

export function forgetAppToken(client: TwitchClient): void {
  appTokens.delete(`${client.authBase ?? TWITCH_AUTH_BASE}|${client.clientId}|${client.clientSecret}`);
}

export class TwitchAuthError extends Error {}

export function helix(client: TwitchClient, token: string, method: "GET" | "POST", path: string, body?: unknown): Promise<Response> {
  return client.fetch(`${(client.apiBase ?? TWITCH_HELIX_BASE).replace(/\/$/, "")}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "client-id": client.clientId, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Helix rate limits say when the bucket refills in `Ratelimit-Reset` (unix seconds). */
function resetMs(res: Response, now: number): number | undefined {
  const reset = Number(res.headers.get("ratelimit-reset"));
  return Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - now) : retryAfterMs(res.headers.get("retry-after"), now);
}

/**
 * Maps a Send Chat Message or Send Whisper answer. Chat answers 200 even when Twitch drops
 * the message (`is_sent: false` with a drop reason): that is final unless it is a rate limit.
 */
export async function twitchSendResult(res: Response, now = Date.now()): Promise<SendResult> {
  const text = await res.text().catch(() => "");
  let body: { data?: { message_id?: string; is_sent?: boolean; drop_reason?: { code?: string; message?: string } | null }[]; message?: string } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // 204 (whispers) or not JSON: judged by the status
  }
  if (res.ok) {
    const sent = body.data?.[0];
    if (!sent || sent.is_sent !== false) return { ok: true, platformMessageId: sent?.message_id };
    const code = sent.drop_reason?.code ?? "unknown";
    const error = `Twitch dropped the message: ${code} ${sent.drop_reason?.message ?? ""}`.trim();
    return { ok: false, retryable: /rate/i.test(code), error };
  }
  const error = `Twitch HTTP ${res.status}: ${body.message ?? text.slice(0, 200)}`;
  if (res.status === 429) return { ok: false, retryable: true, retryAfterMs: resetMs(res, now), error };
  return { ok: false, retryable: res.status >= 500, error };
}
