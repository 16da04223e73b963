/**
 * "typing…" on the long-polling channel while the agent works: Telegram shows a chat action
 * "for 5 seconds or less (when a message arrives from your bot, Telegram clients clear its
 * typing status)" (Bot API, sendChatAction), so it is sent again every 4 s until the reply or
 * the first streamed part goes out, for at most two minutes (../shared/typing.ts). Telegram
 * has no "stop" action: the reply clears it.
 */
import type { Api } from "grammy/web";
import { DEFAULT_MAX_TYPING_MS, TypingIndicator } from "../shared/typing";

export const TELEGRAM_TYPING_RENEW_MS = 4000;

export function telegramTyping(api: Pick<Api, "sendChatAction">): TypingIndicator {
  return new TypingIndicator({
    ping: (chatId) => api.sendChatAction(chatId, "typing"),
    renewMs: TELEGRAM_TYPING_RENEW_MS,
    maxMs: DEFAULT_MAX_TYPING_MS,
  });
}
