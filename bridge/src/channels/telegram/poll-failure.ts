/**
 * The one place where a failed Bot API call of the poller becomes what to do next: give up
 * (a token Telegram rejects), stand aside (a webhook is set for the bot), wait as told (429),
 * or retry with backoff (network, 5xx, another poller).
 */
import { GrammyError, HttpError } from "grammy/web";

export type PollFailure = { kind: "final"; reason: string } | { kind: "webhook"; reason: string } | { kind: "retry"; reason: string; afterMs?: number };

export function pollFailure(err: unknown): PollFailure {
  if (err instanceof GrammyError) {
    const what = `${err.error_code} ${err.description}`;
    // 401 for a revoked or malformed token, 404 for a token of no bot.
    if (err.error_code === 401 || err.error_code === 404)
      return { kind: "final", reason: `Telegram rejected the bot token (${what}): copy it again from @BotFather` };
    if (err.error_code === 409 && /webhook/i.test(err.description)) return { kind: "webhook", reason: what };
    if (err.error_code === 409) return { kind: "retry", reason: `another program is polling this bot (${what}); a bot can be polled by one program only` };
    if (err.error_code === 429) {
      const seconds = err.parameters.retry_after ?? 1;
      return { kind: "retry", reason: `Telegram rate limit (retry after ${seconds}s)`, afterMs: seconds * 1000 };
    }
    return { kind: "retry", reason: `Telegram ${err.method} failed: ${what}` };
  }
  if (err instanceof HttpError) return { kind: "retry", reason: `cannot reach Telegram: ${err.message}` };
  return { kind: "retry", reason: `unexpected error: ${err instanceof Error ? err.message : String(err)}` };
}
