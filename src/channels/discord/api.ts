/**
 * Discord's REST API over fetch: interaction responses (edit the deferred original, then
 * follow-ups), a DM when there is no interaction to answer, command and endpoint registration,
 * and the one place where Discord's answers become SendResults.
 * https://discord.com/developers/docs/reference
 */
import { retryAfterMs } from "../shared/send-result";
import type { SendResult } from "../shared/types";

export const DISCORD_API_BASE = "https://discord.com/api/v10";
/** Discord's limit for a message's `content`. */
export const DISCORD_MAX_MESSAGE_LENGTH = 2000;

export interface DiscordClient {
  apiBase?: string;
  /** Needed for the bot's own endpoints; interaction webhooks are authorised by their token. */
  botToken?: string;
  fetch: typeof fetch;
}

export function discordCall(client: DiscordClient, method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (client.botToken) headers.authorization = `Bot ${client.botToken}`;
  return client.fetch(`${(client.apiBase ?? DISCORD_API_BASE).replace(/\/$/, "")}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/**
 * Maps a Discord answer: 429 carries `retry_after` (seconds, fractional) in the body and a
 * Retry-After header; 5xx is retried; other 4xx (an expired interaction token, a missing
 * permission) cannot succeed on a second try.
 */
export async function discordSendResult(res: Response, now = Date.now()): Promise<SendResult> {
  const text = await res.text().catch(() => "");
  let json: { id?: string; message?: string; code?: number; retry_after?: number; errors?: unknown } = {};
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    // not JSON
  }
  if (res.ok) return { ok: true, platformMessageId: json.id };
  const detail = fieldError(json.errors);
  const error = `Discord HTTP ${res.status}${json.code !== undefined ? ` (code ${json.code})` : ""}: ${json.message ?? text.slice(0, 200)}${detail ? ` (${detail})` : ""}`;
  if (res.status === 429) {
    const fromBody = typeof json.retry_after === "number" ? Math.ceil(json.retry_after * 1000) : undefined;
    return { ok: false, retryable: true, retryAfterMs: fromBody ?? retryAfterMs(res.headers.get("retry-after"), now), error };
  }
  // Unknown Webhook on an interaction's token: Discord may not have taken our deferred answer in
  // yet (the reply can be ready within milliseconds of it); the token is good for 15 minutes, so
  // try again shortly. An expired token runs out of attempts and fails like any final error.
  if (res.status === 404 && json.code === UNKNOWN_WEBHOOK) return { ok: false, retryable: true, retryAfterMs: 1000, error };
  return { ok: false, retryable: res.status >= 500, error };
}

/** Discord's JSON error code for a webhook (or interaction token) it does not know. */
const UNKNOWN_WEBHOOK = 10015;

/** The first message in Discord's nested `errors` object (its "Invalid Form Body" details). */
function fieldError(errors: unknown, path = ""): string | undefined {
  if (!errors || typeof errors !== "object") return undefined;
  for (const [key, value] of Object.entries(errors)) {
    if (key === "_errors" && Array.isArray(value)) {
      const first = value[0] as { message?: string } | undefined;
      if (first?.message) return `${path || "body"}: ${first.message}`;
    }
    const nested = fieldError(value, key === "_errors" ? path : path ? `${path}.${key}` : key);
    if (nested) return nested;
  }
  return undefined;
}

/** Opens (or reuses) the bot's DM channel with a user and posts there. */
export async function sendDirectMessage(client: DiscordClient, userId: string, body: unknown): Promise<SendResult> {
  const dm = await discordCall(client, "POST", "/users/@me/channels", { recipient_id: userId });
  if (!dm.ok) return discordSendResult(dm);
  const { id } = (await dm.json()) as { id: string };
  return discordSendResult(await discordCall(client, "POST", `/channels/${id}/messages`, body));
}
