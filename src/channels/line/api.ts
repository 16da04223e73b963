/**
 * The LINE Messaging API over fetch (stage 8 and setup): reply, push, the loading animation,
 * message content and the webhook endpoint, with the channel access token; and the one place
 * where LINE's answers become SendResults.
 * https://developers.line.biz/en/reference/messaging-api/
 */
import { sha256Hex } from "../../crypto/hmac";
import { retryAfterMs } from "../shared/send-result";
import type { SendResult } from "../shared/types";

export const LINE_API_BASE = "https://api.line.me";
/** Message content (images, files) is served from a separate host. */
export const LINE_DATA_API_BASE = "https://api-data.line.me";

export interface LineClient {
  accessToken: string;
  apiBase?: string;
  dataApiBase?: string;
  fetch: typeof fetch;
}

function base(client: LineClient, data = false): string {
  const root = data ? (client.dataApiBase ?? client.apiBase ?? LINE_DATA_API_BASE) : (client.apiBase ?? LINE_API_BASE);
  return root.replace(/\/$/, "");
}

export function lineCall(
  client: LineClient,
  method: "GET" | "POST" | "PUT",
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return client.fetch(`${base(client)}${path}`, {
    method,
    headers: { authorization: `Bearer ${client.accessToken}`, ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export function lineContent(client: LineClient, messageId: string): Promise<Response> {
  return client.fetch(`${base(client, true)}/v2/bot/message/${encodeURIComponent(messageId)}/content`, {
    headers: { authorization: `Bearer ${client.accessToken}` },
  });
}

/**
 * `X-Line-Retry-Key` must be a UUID; it is derived from the delivery id, so every retry of
 * one chunk carries the same key and LINE sends it once (a repeat is answered 409).
 */
export async function retryKeyFor(deliveryId: string): Promise<string> {
  const hex = (await sha256Hex(`loopgate-line:${deliveryId}`)).slice(0, 32).split("");
  hex[12] = "4";
  hex[16] = ((Number.parseInt(hex[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  const h = hex.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** LINE's error body: `{message, details?: [{message, property}]}`. */
async function lineError(res: Response): Promise<string> {
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { message?: string; details?: { message?: string; property?: string }[] };
    const details = (body.details ?? []).map((d) => `${d.property ?? ""} ${d.message ?? ""}`.trim()).join("; ");
    return [body.message, details].filter(Boolean).join(": ") || text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}

/** True for the 400 LINE answers to an expired or already used reply token; the caller then pushes. */
export function isInvalidReplyToken(result: SendResult): boolean {
  return !result.ok && /Invalid reply token/i.test(result.error);
}

/**
 * Maps a reply or push answer. 409 on a push means this retry key was already accepted: the
 * message went out, so it is a success. 429 is retried, except the monthly message quota,
 * which no retry can fix; 5xx are retried; other 4xx (bad token, bad request, blocked) fail.
 */
export async function lineSendResult(res: Response, now = Date.now()): Promise<SendResult> {
  if (res.ok) {
    const body = (await res.json().catch(() => ({}))) as { sentMessages?: { id?: string }[] };
    return { ok: true, platformMessageId: body.sentMessages?.[0]?.id };
  }
  if (res.status === 409 && res.headers.get("x-line-accepted-request-id")) {
    await res.body?.cancel();
    return { ok: true };
  }
  const message = await lineError(res);
  const error = `LINE HTTP ${res.status}: ${message}`;
  if (res.status === 429) {
    if (/monthly limit/i.test(message)) return { ok: false, retryable: false, error: `LINE monthly message quota reached: ${error}` };
    return { ok: false, retryable: true, retryAfterMs: retryAfterMs(res.headers.get("retry-after"), now), error };
  }
  if (res.status === 401) return { ok: false, retryable: false, error: `LINE rejected the channel access token; update channelAccessToken: ${error}` };
  return { ok: false, retryable: res.status >= 500, error };
}
