/**
 * Streamed replies and the typing indicator on Telegram (docs/streaming.md). The partial reply is
 * posted with sendMessage (quoting the message it answers, like a finished reply) and grown with
 * editMessageText, in the same HTML as the finished reply, which is the last edit. Telegram asks
 * bots for at most one message a second in a chat and twenty a minute in a group
 * (core.telegram.org/bots/faq, "My bot is hitting limits"); edits are paced to that.
 * sendMessageDraft (Bot API 9.3) streams ephemeral drafts too, but only in private chats (at
 * first only for bots with forum topic mode), so it is not used: edits work in every chat.
 */
import type { Api } from "grammy/web";
import { GrammyError } from "grammy/web";
import { isEntityParseError, telegramApi, telegramSendResult } from "./api";
import { toTelegramHtml } from "./format";
import { sendTelegramReply } from "./reply";
import type { ChannelContext, OutboundMessage, ReplyTarget, SendResult, StreamingReplies, TypingIndicator } from "../shared/types";

/** What a Telegram channel's config has for calling the Bot API. */
type TelegramBot = { botToken: string; apiBase?: string };

/** One change a second in a private chat; groups (negative chat ids) twenty a minute. */
export const TELEGRAM_PRIVATE_EDIT_INTERVAL_MS = 1000;
export const TELEGRAM_GROUP_EDIT_INTERVAL_MS = 3000;
/** Telegram shows "typing…" for 5 s or until the bot's next message; renewed before it lapses. */
export const TELEGRAM_TYPING_RENEW_MS = 4000;

const chatOf = (target: ReplyTarget) => target.conversationId ?? target.recipient;
const api = (ctx: ChannelContext<TelegramBot>) => telegramApi(ctx.config.botToken, ctx.config.apiBase, ctx.fetch);

/** "message is not modified": the edit asked for what is already shown, which is what was wanted. */
function isNotModified(err: unknown): boolean {
  return err instanceof GrammyError && err.error_code === 400 && /message is not modified/i.test(err.description);
}

export async function editTelegramReply(api: Pick<Api, "editMessageText">, chatId: string, messageId: number, text: string): Promise<SendResult> {
  try {
    await api.editMessageText(chatId, messageId, toTelegramHtml(text), { parse_mode: "HTML" });
    return { ok: true, platformMessageId: String(messageId) };
  } catch (err) {
    if (isNotModified(err)) return { ok: true, platformMessageId: String(messageId) };
    if (!isEntityParseError(err)) return telegramSendResult(err);
    try {
      await api.editMessageText(chatId, messageId, text);
      return { ok: true, platformMessageId: String(messageId) };
    } catch (plainErr) {
      return isNotModified(plainErr) ? { ok: true, platformMessageId: String(messageId) } : telegramSendResult(plainErr);
    }
  }
}

export function telegramStreaming<C extends TelegramBot>(): StreamingReplies<C> {
  return {
    minEditIntervalMs: (target) => (chatOf(target).startsWith("-") ? TELEGRAM_GROUP_EDIT_INTERVAL_MS : TELEGRAM_PRIVATE_EDIT_INTERVAL_MS),
    start: (message: OutboundMessage, ctx: ChannelContext<C>) =>
      sendTelegramReply(api(ctx), { chatId: chatOf(message), text: message.text, replyToMessageId: message.replyContext?.messageId }),
    edit: (message: OutboundMessage, platformMessageId: string, ctx: ChannelContext<C>) => {
      const id = Number(platformMessageId);
      if (!Number.isInteger(id)) return Promise.resolve({ ok: false, retryable: false, error: `not a Telegram message id: ${platformMessageId}` });
      return editTelegramReply(api(ctx), chatOf(message), id, message.text);
    },
  };
}

export function telegramTyping<C extends TelegramBot>(): TypingIndicator<C> {
  return {
    renewEveryMs: TELEGRAM_TYPING_RENEW_MS,
    async show(target, ctx) {
      await api(ctx).sendChatAction(chatOf(target), "typing");
    },
  };
}
