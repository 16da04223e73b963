/**
 * Telegram replies that grow while the model writes, on the long-polling channel
 * (docs/streaming.md, bridge channels): the Worker's own streamed-reply code
 * (src/channels/telegram/stream.ts): sendMessage quoting the message answered, then
 * editMessageText in the finished reply's HTML ("message is not modified" counts as done),
 * paced to Telegram's limits, one change a second in a private chat, one per 3 s in a group.
 * A 429's retry_after holds every send of the channel, as for finished replies.
 */
import type { Api } from "grammy/web";
import type { SendResult } from "../../../../src/channels/shared/types";
import { sendTelegramReply } from "../../../../src/channels/telegram/reply";
import { editTelegramReply, TELEGRAM_GROUP_EDIT_INTERVAL_MS, TELEGRAM_PRIVATE_EDIT_INTERVAL_MS } from "../../../../src/channels/telegram/stream";
import type { BridgeReply } from "../../../../src/protocol/bridge";
import type { DeliveryOutcome, EditableMessages, PostOutcome } from "../shared/types";

export interface TelegramEditHost {
  api: Pick<Api, "sendMessage" | "editMessageText">;
  /** Why nothing can be sent now (not polling, rate-limited), or null. */
  notReady(): string | null;
  /** A 429 said to wait this long before the channel sends again. */
  rateLimited(ms: number): void;
}

const chatOf = (reply: BridgeReply) => reply.conversationId ?? reply.recipient;

export function telegramEditableMessages(host: TelegramEditHost): EditableMessages {
  const outcome = (result: SendResult & { ok: false }): Extract<DeliveryOutcome, { ok: false }> => {
    if (result.retryAfterMs) host.rateLimited(result.retryAfterMs);
    return { ok: false, retryable: result.retryable, error: result.error, ...(result.retryAfterMs ? { retryAfterMs: result.retryAfterMs } : {}) };
  };
  return {
    // Groups and supergroups have negative chat ids.
    minEditIntervalMs: (reply) => (chatOf(reply).startsWith("-") ? TELEGRAM_GROUP_EDIT_INTERVAL_MS : TELEGRAM_PRIVATE_EDIT_INTERVAL_MS),

    async post(reply): Promise<PostOutcome> {
      const waiting = host.notReady();
      if (waiting) return { ok: false, retryable: true, error: waiting };
      const result = await sendTelegramReply(host.api, { chatId: chatOf(reply), text: reply.text, replyToMessageId: reply.replyContext?.messageId });
      if (!result.ok) return outcome(result);
      return result.platformMessageId
        ? { ok: true, messageId: result.platformMessageId }
        : { ok: false, retryable: false, error: "Telegram named no message to edit" };
    },

    async edit(reply, messageId): Promise<DeliveryOutcome> {
      const id = Number(messageId);
      if (!Number.isInteger(id)) return { ok: false, retryable: false, error: `not a Telegram message id: ${messageId}` };
      const waiting = host.notReady();
      if (waiting) return { ok: false, retryable: true, error: waiting };
      // "message to edit not found" (deleted) is a final 400: the finished reply is then posted whole.
      const result = await editTelegramReply(host.api, chatOf(reply), id, reply.text);
      return result.ok ? { ok: true } : outcome(result);
    },
  };
}
