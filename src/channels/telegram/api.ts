/**
 * Telegram's outbound side: a grammY `Api` pointed at the channel's `apiBase` (grammY's
 * `apiRoot`: a self-hosted Bot API server, or a fake in tests), and the one place where Bot
 * API errors become SendResults.
 */
import { Api, GrammyError, HttpError } from "grammy/web";
import type { SendResult } from "../shared/types";

export const TELEGRAM_API_ROOT = "https://api.telegram.org";

/** `timeoutSeconds` bounds calls made inside a webhook request (typing, getMe), which must stay fast. */
export function telegramApi(botToken: string, apiBase: string | undefined, fetchFn: typeof fetch, timeoutSeconds?: number): Api {
  return new Api(botToken, { apiRoot: (apiBase ?? TELEGRAM_API_ROOT).replace(/\/$/, ""), fetch: fetchFn, timeoutSeconds });
}

/**
 * Maps a failed Bot API call: 429 carries `parameters.retry_after` (seconds) and is retried
 * after it; 5xx and network errors are retried; other 4xx (blocked by the user, chat not
 * found, bad request) cannot succeed on a second try.
 */
export function telegramSendResult(err: unknown): SendResult & { ok: false } {
  if (err instanceof GrammyError) {
    const error = `Telegram ${err.method} failed: ${err.error_code} ${err.description}`;
    if (err.error_code === 429) {
      const seconds = err.parameters.retry_after;
      return { ok: false, retryable: true, retryAfterMs: seconds === undefined ? undefined : seconds * 1000, error };
    }
    return { ok: false, retryable: err.error_code >= 500, error };
  }
  if (err instanceof HttpError) return { ok: false, retryable: true, error: `network error: ${err.message}` };
  return { ok: false, retryable: true, error: `unexpected error: ${err instanceof Error ? err.message : String(err)}` };
}

/** Telegram's answer when HTML does not parse; the reply is then sent as plain text rather than lost. */
export function isEntityParseError(err: unknown): boolean {
  return err instanceof GrammyError && err.error_code === 400 && /can't parse entities/i.test(err.description);
}

/** The bot's username (for @mentions in groups), cached per isolate since it never changes for a token. */
const usernames = new Map<string, Promise<string | undefined>>();

/** `api` should be a short-timeout client: this runs inside a webhook request. */
export function botUsername(api: Api): Promise<string | undefined> {
  const key = `${api.options?.apiRoot}|${api.token}`;
  let name = usernames.get(key);
  if (!name) {
    name = api.getMe().then(
      (me) => me.username,
      () => {
        usernames.delete(key);
        return undefined;
      },
    );
    usernames.set(key, name);
  }
  return name;
}
