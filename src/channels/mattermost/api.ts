/**
 * Mattermost's REST API v4 over fetch (stage 8 and setup) with the bot's access token, and
 * the one place where its answers become SendResults. Shared with the bridge's WebSocket side.
 * https://api.mattermost.com/
 */
import { retryAfterMs } from "../shared/send-result";
import type { SendResult } from "../shared/types";

export interface MattermostClient {
  /** The server's root URL, e.g. https://chat.example.com. */
  serverUrl: string;
  botToken: string;
  fetch: typeof fetch;
}

export function mattermostCall(client: MattermostClient, method: "GET" | "POST", path: string, body?: unknown): Promise<Response> {
  return client.fetch(`${client.serverUrl.replace(/\/$/, "")}/api/v4${path}`, {
    method,
    headers: { authorization: `Bearer ${client.botToken}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Creates a post; `rootId` answers in that thread. */
export function createPost(client: MattermostClient, channelId: string, message: string, rootId?: string): Promise<Response> {
  return mattermostCall(client, "POST", "/posts", { channel_id: channelId, message, ...(rootId ? { root_id: rootId } : {}) });
}

/** Mattermost's error body: `{id, message, status_code}`; the id names the cause (e.g. `api.post.create_post.root_id.app_error`). */
export async function mattermostError(res: Response): Promise<{ id: string; message: string }> {
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { id?: string; message?: string };
    return { id: body.id ?? "", message: body.message ?? text.slice(0, 200) };
  } catch {
    return { id: "", message: text.slice(0, 200) };
  }
}

/** True when the thread to answer in is not valid as a root (the post was itself a reply, or deleted). */
export function isBadRootId(errorId: string): boolean {
  return /root_id|rootid/i.test(errorId);
}

/**
 * Maps a create-post answer. Rate limits are HTTP 429 with Retry-After or X-Ratelimit-Reset
 * (seconds); 5xx are retried; 401 (token revoked), 403 (bot not in the channel) and other
 * 4xx fail for good.
 */
export async function mattermostSendResult(res: Response, now = Date.now()): Promise<SendResult & { errorId?: string }> {
  if (res.ok) {
    const post = (await res.json().catch(() => ({}))) as { id?: string };
    return { ok: true, platformMessageId: post.id };
  }
  const { id, message } = await mattermostError(res);
  const error = `Mattermost HTTP ${res.status}: ${message}${id ? ` (${id})` : ""}`;
  if (res.status === 429) {
    const wait = retryAfterMs(res.headers.get("retry-after") ?? res.headers.get("x-ratelimit-reset"), now);
    return { ok: false, retryable: true, retryAfterMs: wait, error };
  }
  if (res.status === 403) return { ok: false, retryable: false, error: `${error}; add the bot to the channel`, errorId: id };
  return { ok: false, retryable: res.status >= 500, error, errorId: id };
}
