/**
 * Feishu/Lark inbound normalisation (stage 1): a schema 2.0 `im.message.receive_v1` event becomes
 * one InboundMessage, keyed by `event_id` (which Feishu repeats when it redelivers). Private chats
 * (p2p) are answered always; groups only when the bot is @mentioned or the text starts with the
 * channel's prefix. The sender is the person's open_id.
 * https://open.feishu.cn/document/server-docs/im-v1/message/events/receive
 */
import { z } from "zod";
import type { InboundMessage } from "../shared/types";

const mentionSchema = z.looseObject({ key: z.string(), id: z.looseObject({ open_id: z.string().optional() }), name: z.string().optional() });

export const messageEventSchema = z.looseObject({
  sender: z.looseObject({ sender_id: z.looseObject({ open_id: z.string().min(1).max(200) }), sender_type: z.string() }),
  message: z.looseObject({
    message_id: z.string().min(1).max(200),
    chat_id: z.string().min(1).max(200),
    chat_type: z.string(),
    message_type: z.string(),
    content: z.string().max(200_000),
    mentions: z.array(mentionSchema).optional(),
  }),
});
export type MessageEvent = z.infer<typeof messageEventSchema>;

export type NormalizedLarkEvent =
  | { kind: "message"; message: Omit<InboundMessage, "receivedAt"> }
  | { kind: "ignored"; reason: string }
  | { kind: "invalid"; error: string };

/** The text of a text or post message; mention placeholders (`@_user_1`) become names, the bot's own is dropped. */
function messageText(event: MessageEvent, botOpenId: string | undefined): string | null {
  let content: { text?: unknown; title?: unknown; content?: unknown };
  try {
    content = JSON.parse(event.message.content) as typeof content;
  } catch {
    return null;
  }
  let text: string;
  if (event.message.message_type === "text" && typeof content.text === "string") text = content.text;
  else if (event.message.message_type === "post" && Array.isArray(content.content)) {
    const lines = (content.content as { tag?: string; text?: string; user_id?: string }[][]).map((line) =>
      (Array.isArray(line) ? line : []).map((el) => (el.tag === "at" ? `@${el.user_id ?? ""}` : (el.text ?? ""))).join(""),
    );
    text = [typeof content.title === "string" ? content.title : "", ...lines].filter(Boolean).join("\n");
  } else return null;
  for (const m of event.message.mentions ?? []) text = text.replaceAll(m.key, m.id.open_id && m.id.open_id === botOpenId ? "" : `@${m.name ?? "someone"}`);
  return text.trim();
}

export function normalizeMessageEvent(eventId: string, event: MessageEvent, bot: { openId?: string; prefix?: string }): NormalizedLarkEvent {
  if (event.sender.sender_type !== "user") return { kind: "ignored", reason: `message from ${event.sender.sender_type}` };
  const group = event.message.chat_type !== "p2p";
  const mentioned = !!bot.openId && (event.message.mentions ?? []).some((m) => m.id.open_id === bot.openId);
  let text = messageText(event, bot.openId);
  if (text === null) return { kind: "ignored", reason: `${event.message.message_type} messages are not handled` };
  const prefixed = !!bot.prefix && text.startsWith(bot.prefix);
  if (group && !mentioned && !prefixed) return { kind: "ignored", reason: "group message not addressed to the bot" };
  if (prefixed && bot.prefix) text = text.slice(bot.prefix.length).trim();
  if (!text) return { kind: "ignored", reason: "message without text" };
  return {
    kind: "message",
    message: {
      senderId: event.sender.sender_id.open_id,
      conversationId: event.message.chat_id,
      platformMessageId: eventId,
      text,
      replyContext: { messageId: event.message.message_id },
    },
  };
}
