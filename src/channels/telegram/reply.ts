/**
 * Sending one reply chunk to a Telegram chat (stage 8), shared by the webhook channel (from
 * the Worker) and the polling channel (from the bridge): Markdown becomes Telegram HTML, sent
 * as a reply to the message it answers; if Telegram cannot parse the HTML, the same chunk goes
 * out as plain text rather than being lost.
 */
import type { Api } from "grammy/web";
import type { InlineKeyboardMarkup } from "grammy/types";
import { isEntityParseError, telegramSendResult } from "./api";
import { toTelegramHtml } from "./format";
import type { SendResult } from "../shared/types";

/** Telegram allows 4096 characters per message (after entity parsing). */
export const TELEGRAM_MAX_MESSAGE_LENGTH = 4096;
/** The only update type either mode asks Telegram for; everything else is never fetched. */
export const TELEGRAM_ALLOWED_UPDATES = ["message"] as const;

export interface TelegramReply {
  chatId: string;
  text: string;
  /** The message being answered (`replyContext.messageId`); quoted when it still exists. */
  replyToMessageId?: string;
  /** Buttons under the message (an approval prompt's Approve and Deny). */
  replyMarkup?: InlineKeyboardMarkup;
}

export async function sendTelegramReply(api: Pick<Api, "sendMessage">, reply: TelegramReply): Promise<SendResult> {
  const replyTo = Number(reply.replyToMessageId);
  const quote = {
    ...(Number.isInteger(replyTo) && replyTo > 0 ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {}),
    ...(reply.replyMarkup ? { reply_markup: reply.replyMarkup } : {}),
  };
  try {
    const sent = await api.sendMessage(reply.chatId, toTelegramHtml(reply.text), { parse_mode: "HTML", ...quote });
    return { ok: true, platformMessageId: String(sent.message_id) };
  } catch (err) {
    if (!isEntityParseError(err)) return telegramSendResult(err);
    try {
      const sent = await api.sendMessage(reply.chatId, reply.text, quote);
      return { ok: true, platformMessageId: String(sent.message_id) };
    } catch (plainErr) {
      return telegramSendResult(plainErr);
    }
  }
}
