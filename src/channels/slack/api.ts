/**
 * Slack's Web API over fetch (the Worker needs no SDK for two methods): a JSON POST to
 * `${apiBase}/<method>` with the bot token, and the one place where its answers become
 * SendResults.
 * https://api.slack.com/web
 */
import { retryAfterMs } from "../shared/send-result";
import type { SendResult } from "../shared/types";

export const SLACK_API_BASE = "https://slack.com/api";

/** Error codes Slack documents as transient: sending again later may succeed. */
const TRANSIENT_ERRORS = new Set(["ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"]);

/** Whether a Web API error code is worth retrying (shared with the bridge's Socket Mode channel). */
export function isTransientSlackError(code: string): boolean {
  return TRANSIENT_ERRORS.has(code);
}

export interface SlackClient {
  botToken: string;
  apiBase?: string;
  fetch: typeof fetch;
}

export function slackCall(client: SlackClient, method: string, body: Record<string, unknown>): Promise<Response> {
  return client.fetch(`${(client.apiBase ?? SLACK_API_BASE).replace(/\/$/, "")}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json; charset=utf-8", authorization: `Bearer ${client.botToken}` },
    body: JSON.stringify(body),
  });
}

/**
 * Maps a Web API answer. Slack reports most errors as HTTP 200 with `{ok:false, error}`;
 * rate limits come as HTTP 429 with Retry-After (seconds).
 */
export async function slackSendResult(res: Response, now = Date.now()): Promise<SendResult> {
  const retryAfter = retryAfterMs(res.headers.get("retry-after"), now);
  const text = await res.text().catch(() => "");
  let json: { ok?: boolean; error?: string; ts?: string } = {};
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    // not JSON: judged by the status alone
  }
  if (res.ok && json.ok === true) return { ok: true, platformMessageId: json.ts };
  const code = json.error ?? (text.slice(0, 200) || "no error code");
  const error = `Slack HTTP ${res.status}: ${code}`;
  if (res.status === 429 || code === "ratelimited") return { ok: false, retryable: true, retryAfterMs: retryAfter, error };
  return { ok: false, retryable: res.status >= 500 || isTransientSlackError(code), error };
}
