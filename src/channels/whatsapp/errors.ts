/**
 * The one place a Graph API answer to `POST /{phone-number-id}/messages` becomes a
 * SendResult. Graph puts the reason in `error.code` (HTTP status is often a plain 400), so
 * throttling codes are retried and account or window errors fail at once with their cause.
 */
import { retryAfterMs } from "../shared/send-result";
import type { SendResult } from "../shared/types";

/** 4: app call limit, 80007: WABA limit, 130429: number throughput, 131056: pair rate limit. */
const RATE_LIMIT_CODES = new Set([4, 80007, 130429, 131056]);
/** 1, 2: unknown or service error, 131000: something went wrong, 131016: service unavailable. */
const TRANSIENT_CODES = new Set([1, 2, 131000, 131016]);
/** WhatsApp allows one message every 6 s to the same user; waiting less only fails again. */
const PAIR_RATE_LIMIT_WAIT_MS = 6_000;

interface GraphError {
  message?: string;
  code?: number;
  error_data?: { details?: string };
}

async function graphError(res: Response): Promise<GraphError> {
  const text = await res.text().catch(() => "");
  try {
    const parsed = JSON.parse(text) as { error?: GraphError };
    if (parsed.error && typeof parsed.error === "object") return parsed.error;
  } catch {
    // not JSON: fall through with the raw text
  }
  return { message: text.slice(0, 300) };
}

export async function whatsappSendResult(res: Response, now = Date.now()): Promise<SendResult> {
  if (res.ok) {
    const body = (await res.json().catch(() => ({}))) as { messages?: { id?: string }[] };
    return { ok: true, platformMessageId: body.messages?.[0]?.id };
  }
  const err = await graphError(res);
  const detail = [err.message, err.error_data?.details].filter(Boolean).join(": ");
  const error = `Graph API HTTP ${res.status}${err.code !== undefined ? ` code ${err.code}` : ""}${detail ? `: ${detail}` : ""}`;
  const code = err.code ?? -1;
  if (code === 131047) {
    return {
      ok: false,
      retryable: false,
      error: `outside WhatsApp's 24-hour customer service window (re-engagement required; only template messages may be sent): ${error}`,
    };
  }
  if (code === 190) return { ok: false, retryable: false, error: `WhatsApp access token is invalid or expired; update the channel's accessToken: ${error}` };
  if (RATE_LIMIT_CODES.has(code) || res.status === 429) {
    const wait = retryAfterMs(res.headers.get("retry-after"), now) ?? (code === 131056 ? PAIR_RATE_LIMIT_WAIT_MS : undefined);
    return { ok: false, retryable: true, retryAfterMs: wait, error };
  }
  return { ok: false, retryable: TRANSIENT_CODES.has(code) || res.status >= 500, error };
}
