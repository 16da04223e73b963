/**
 * Maps a platform's HTTP answer to a SendResult: 429 and 5xx are retried (honouring
 * Retry-After), other 4xx are not, since sending the same request again cannot succeed.
 */
import type { SendResult } from "./types";

export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export async function sendResultFromResponse(res: Response): Promise<SendResult> {
  if (res.ok) return { ok: true };
  const body = (await res.text().catch(() => "")).slice(0, 300);
  const error = `HTTP ${res.status}${body ? `: ${body}` : ""}`;
  if (res.status === 429) return { ok: false, retryable: true, retryAfterMs: retryAfterMs(res.headers.get("retry-after")), error };
  return { ok: false, retryable: res.status >= 500, error };
}

/** Runs a delivery, turning a thrown network error into a retryable failure. */
export async function networkSafe(send: () => Promise<SendResult>): Promise<SendResult> {
  try {
    return await send();
  } catch (err) {
    return { ok: false, retryable: true, error: `network error: ${err instanceof Error ? err.message : String(err)}` };
  }
}
