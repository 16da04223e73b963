/**
 * What a failed Telegram setup says: "Telegram refused" only when Telegram answered (a Bot API
 * error such as 401 Unauthorized); when it was never reached (no network, a wrong apiBase, a
 * timeout) the step says so, since the token is then not the problem.
 */
import { GrammyError } from "grammy/web";
import { telegramSendResult } from "./api";

export function setupFailure(err: unknown, refusedWhat: string): string {
  const { error } = telegramSendResult(err);
  if (err instanceof GrammyError) return `Telegram refused ${refusedWhat}: ${error}`;
  return `Could not reach Telegram (${error}): check that the gateway can reach the Bot API (apiBase, network), then run setup again.`;
}
