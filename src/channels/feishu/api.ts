/**
 * Feishu/Lark Open API over fetch, on either domain (open.feishu.cn, open.larksuite.com): a
 * tenant_access_token for the app (cached until shortly before it expires), the bot's own
 * open_id, and replies to a message. The one place where Open API answers become SendResults.
 * https://open.feishu.cn/document/server-docs/authentication-management/access-token/tenant_access_token_internal
 * https://open.feishu.cn/document/server-docs/im-v1/message/reply
 */
import { cachedToken, dropToken, tokenCacheKey } from "../shared/access-token-cache";
import type { SendResult } from "../shared/types";

export const LARK_DOMAINS = { feishu: "https://open.feishu.cn", lark: "https://open.larksuite.com" } as const;
/** Error codes meaning the tenant token is invalid or expired: a fresh one may succeed. */
const TOKEN_ERRORS = new Set([99991661, 99991663, 99991668]);
/** "request trigger frequency limit". */
const RATE_LIMITED = 99991400;

export interface LarkClient {
  appId: string;
  appSecret: string;
  base: string;
  fetch: typeof fetch;
  now: number;
}

export class TokenError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

const tokenUrl = (client: LarkClient) => `${client.base.replace(/\/$/, "")}/open-apis/auth/v3/tenant_access_token/internal`;

export async function tenantToken(client: LarkClient): Promise<string> {
  return cachedToken(await tokenCacheKey(tokenUrl(client), client.appId, client.appSecret), client.now, async () => {
    const res = await client.fetch(tokenUrl(client), {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ app_id: client.appId, app_secret: client.appSecret }),
    });
    const body = (await res.json().catch(() => ({}))) as { code?: number; msg?: string; tenant_access_token?: string; expire?: number };
    if (body.code !== 0 || !body.tenant_access_token)
      throw new TokenError(
        `Feishu refused the app credentials (HTTP ${res.status}, code ${body.code ?? "none"}: ${body.msg ?? ""})`,
        res.status === 429 || res.status >= 500,
      );
    return { token: body.tenant_access_token, expiresInSeconds: Number(body.expire) || 7200 };
  });
}

async function call(client: LarkClient, method: string, path: string, body?: unknown): Promise<Response> {
  return client.fetch(`${client.base.replace(/\/$/, "")}${path}`, {
    method,
    headers: { "content-type": "application/json; charset=utf-8", authorization: `Bearer ${await tenantToken(client)}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const botIds = new Map<string, string>();

/** The bot's open_id (for @mentions in groups), cached per isolate. */
export async function botOpenId(client: LarkClient): Promise<{ openId: string; name?: string }> {
  const key = `${client.base}\n${client.appId}`;
  const cached = botIds.get(key);
  if (cached) return { openId: cached };
  const res = await call(client, "GET", "/open-apis/bot/v3/info");
  const body = (await res.json().catch(() => ({}))) as { code?: number; msg?: string; bot?: { open_id?: string; app_name?: string } };
  if (body.code !== 0 || !body.bot?.open_id) throw new Error(`bot/v3/info failed (HTTP ${res.status}, code ${body.code ?? "none"}: ${body.msg ?? ""})`);
  botIds.set(key, body.bot.open_id);
  return { openId: body.bot.open_id, name: body.bot.app_name };
}

/** Replies to a message; `uuid` (at most 50 characters) makes a retried reply idempotent for an hour. */
export async function replyToMessage(client: LarkClient, messageId: string, msgType: string, content: unknown, uuid: string): Promise<Response> {
  return call(client, "POST", `/open-apis/im/v1/messages/${encodeURIComponent(messageId)}/reply`, {
    msg_type: msgType,
    content: JSON.stringify(content),
    uuid,
  });
}

/**
 * Maps an Open API answer, or what was thrown on the way (token, network). Feishu reports errors
 * as `{code, msg}` with HTTP 200 or 4xx; the frequency limit (429 / 99991400) waits
 * `x-ogw-ratelimit-reset` seconds; an invalid tenant token is dropped and retried.
 */
export async function larkSendResult(res: Response | unknown, client: LarkClient): Promise<SendResult> {
  if (!(res instanceof Response)) {
    if (res instanceof TokenError) return { ok: false, retryable: res.retryable, error: res.message };
    return { ok: false, retryable: true, error: `network error: ${res instanceof Error ? res.message : String(res)}` };
  }
  const body = (await res.json().catch(() => ({}))) as { code?: number; msg?: string; data?: { message_id?: string } };
  if (res.ok && body.code === 0) return { ok: true, platformMessageId: body.data?.message_id };
  const error = `Feishu HTTP ${res.status}, code ${body.code ?? "none"}: ${(body.msg ?? "").slice(0, 200)}`;
  if (res.status === 429 || body.code === RATE_LIMITED) {
    const reset = Number(res.headers.get("x-ogw-ratelimit-reset"));
    return { ok: false, retryable: true, retryAfterMs: Number.isFinite(reset) && reset > 0 ? reset * 1000 : undefined, error };
  }
  if (body.code !== undefined && TOKEN_ERRORS.has(body.code)) {
    dropToken(await tokenCacheKey(tokenUrl(client), client.appId, client.appSecret));
    return { ok: false, retryable: true, error };
  }
  return { ok: false, retryable: res.status >= 500, error };
}
