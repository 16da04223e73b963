/**
 * Google Chat API over fetch: a service-account access token (an RS256 JWT assertion signed with
 * WebCrypto, exchanged at the key's token_uri, cached until shortly before expiry) and
 * `spaces.messages.create` in the message's thread, idempotent by requestId. The one place
 * where Chat's answers become SendResults.
 * https://developers.google.com/identity/protocols/oauth2/service-account#httprest
 * https://developers.google.com/workspace/chat/api/reference/rest/v1/spaces.messages/create
 */
import * as z from "zod";
import { signAssertion } from "./assertion";
import { cachedToken, dropToken, tokenCacheKey } from "../shared/access-token-cache";
import { retryAfterMs } from "../shared/send-result";
import type { SendResult } from "../shared/types";

export const CHAT_API_BASE = "https://chat.googleapis.com";
export const CHAT_BOT_SCOPE = "https://www.googleapis.com/auth/chat.bot";
const DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token";
const ASSERTION_LIFETIME_SECONDS = 3600;

/** The fields of a service account's JSON key that the token exchange needs. */
export const serviceAccountKeySchema = z.looseObject({
  type: z.literal("service_account"),
  client_email: z.email(),
  private_key: z.string().includes("PRIVATE KEY"),
  private_key_id: z.string().optional(),
  token_uri: z.url({ protocol: /^https?$/ }).optional(),
});
export type ServiceAccountKey = z.infer<typeof serviceAccountKeySchema>;

export function parseServiceAccountKey(json: string): ServiceAccountKey | null {
  try {
    const parsed = serviceAccountKeySchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export class TokenError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface ChatClient {
  key: ServiceAccountKey;
  apiBase?: string;
  fetch: typeof fetch;
  now: number;
}

async function cacheKey(client: ChatClient): Promise<string> {
  return tokenCacheKey(client.key.token_uri ?? DEFAULT_TOKEN_URI, client.key.client_email, client.key.private_key);
}

/** An access token for the Chat app's service account. */
export async function chatAccessToken(client: ChatClient): Promise<string> {
  const tokenUri = client.key.token_uri ?? DEFAULT_TOKEN_URI;
  return cachedToken(await cacheKey(client), client.now, async () => {
    const iat = Math.floor(client.now / 1000);
    const assertion = await signAssertion(client.key.private_key, {
      issuer: client.key.client_email,
      scope: CHAT_BOT_SCOPE,
      audience: tokenUri,
      issuedAt: iat,
      expiresAt: iat + ASSERTION_LIFETIME_SECONDS,
      ...(client.key.private_key_id ? { keyId: client.key.private_key_id } : {}),
    });
    const res = await client.fetch(tokenUri, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }),
    });
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string };
    if (!res.ok || !body.access_token)
      throw new TokenError(
        `Google refused the service account (HTTP ${res.status}: ${body.error ?? "no error code"})`,
        res.status === 429 || res.status >= 500,
      );
    return { token: body.access_token, expiresInSeconds: Number(body.expires_in) || 3600 };
  });
}

/** `requestId` makes a retried create return the message already created instead of posting twice. */
export async function createMessage(client: ChatClient, space: string, body: Record<string, unknown>, requestId: string): Promise<Response> {
  const params = new URLSearchParams({ requestId: requestId.replace(/[^\w.:-]/g, "-").slice(0, 200) });
  if (body.thread) params.set("messageReplyOption", "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD");
  return client.fetch(`${(client.apiBase ?? CHAT_API_BASE).replace(/\/$/, "")}/v1/${space}/messages?${params}`, {
    method: "POST",
    headers: { "content-type": "application/json; charset=utf-8", authorization: `Bearer ${await chatAccessToken(client)}` },
    body: JSON.stringify(body),
  });
}

/**
 * Maps a Chat API answer, or what was thrown on the way (token exchange, network): 429
 * RESOURCE_EXHAUSTED and 5xx are retried, other 4xx are final; a 401 drops the cached token.
 */
export async function chatSendResult(res: Response | unknown, client: ChatClient): Promise<SendResult> {
  if (!(res instanceof Response)) {
    if (res instanceof TokenError) return { ok: false, retryable: res.retryable, error: res.message };
    return { ok: false, retryable: true, error: `network error: ${res instanceof Error ? res.message : String(res)}` };
  }
  const text = await res.text().catch(() => "");
  let json: { name?: string; error?: { status?: string; message?: string } } = {};
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    // not JSON: judged by the status alone
  }
  if (res.ok) return { ok: true, platformMessageId: json.name };
  const error = `Google Chat HTTP ${res.status}: ${json.error?.status ?? "error"}${json.error?.message ? ` ${json.error.message.slice(0, 200)}` : ""}`;
  if (res.status === 401) dropToken(await cacheKey(client));
  if (res.status === 429) return { ok: false, retryable: true, retryAfterMs: retryAfterMs(res.headers.get("retry-after"), client.now), error };
  return { ok: false, retryable: res.status >= 500, error };
}
