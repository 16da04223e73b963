/**
 * Feishu/Lark inbound normalisation (stage 1): a schema 2.0 `im.message.receive_v1` event becomes
 * one InboundMessage, keyed by `event_id` (which Feishu repeats when it redelivers). Private chats
 * (p2p) are answered always; groups only when the bot is @mentioned or the text starts with the
 * channel's prefix. The sender is the person's open_id. Pictures, files, voice messages, videos
 * and a post's embedded pictures become attachments (resources.ts).
 * https://open.feishu.cn/document/server-docs/im-v1/message/events/receive
 */
import * as z from "zod";
import type { Attachment, InboundMessage } from "../shared/types";
import { filesOfMessage, imagesOfPost } from "./resources";

/** Message content, and the text made of it, hold at most this many characters. */
const MAX_CONTENT_CHARS = 200_000;

const mentionSchema = z.looseObject({ key: z.string(), id: z.looseObject({ open_id: z.string().optional() }), name: z.string().optional() });

export const messageEventSchema = z.looseObject({
  sender: z.looseObject({ sender_id: z.looseObject({ open_id: z.string().min(1).max(200) }), sender_type: z.string() }),
  message: z.looseObject({
    message_id: z.string().min(1).max(200),
    chat_id: z.string().min(1).max(200),
    chat_type: z.string(),
    message_type: z.string(),
    content: z.string().max(MAX_CONTENT_CHARS),
    mentions: z.array(mentionSchema).optional(),
  }),
});
export type MessageEvent = z.infer<typeof messageEventSchema>;

/** Longer display names are cut where a mention placeholder is replaced. */
const MAX_MENTION_NAME_CHARS = 64;

export type NormalizedLarkEvent =
  | { kind: "message"; message: Omit<InboundMessage, "receivedAt"> }
  | { kind: "ignored"; reason: string }
  | { kind: "invalid"; error: string };

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Mention placeholders (`@_user_1`, `@_all`) become `@name`, the bot's own is dropped, all in one
 * pass: a name is never searched again, so a name holding a placeholder cannot grow the text per
 * mention (forty such mentions made 2^40 copies and brought the Worker down). Names are cut to
 * MAX_MENTION_NAME_CHARS, so the text grows by a bounded factor at most.
 */
function withMentionNames(text: string, mentions: MessageEvent["message"]["mentions"], botOpenId: string | undefined): string {
  const byKey = new Map<string, string>();
  for (const m of mentions ?? []) {
    if (!m.key.startsWith("@_") || byKey.has(m.key)) continue;
    byKey.set(m.key, m.id.open_id && m.id.open_id === botOpenId ? "" : `@${(m.name ?? "someone").slice(0, MAX_MENTION_NAME_CHARS)}`);
  }
  if (byKey.size === 0) return text;
  // Longest first, so `@_user_10` is not read as `@_user_1` followed by a 0.
  const keys = [...byKey.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return text.replace(new RegExp(keys.join("|"), "g"), (key) => byKey.get(key) ?? key);
}

/** The text of one element of a post line: `text` elements' text, `at` elements as `@user_id`. */
function postElementText(element: unknown): string {
  if (!element || typeof element !== "object") return "";
  const el = element as { tag?: unknown; text?: unknown; user_id?: unknown };
  if (el.tag === "at") return `@${typeof el.user_id === "string" ? el.user_id : ""}`;
  return typeof el.text === "string" ? el.text : "";
}

/** What a message says and carries: the text of a text or post message with mention names
 * (withMentionNames), or the markers of a file message, and its attachments. */
function messageContent(event: MessageEvent, botOpenId: string | undefined): { text: string; attachments: Attachment[] } | null {
  let content: { text?: unknown; title?: unknown; content?: unknown };
  try {
    content = JSON.parse(event.message.content) as typeof content;
  } catch {
    return null;
  }
  if (!content || typeof content !== "object") return null;
  const { message_type: type, message_id: messageId } = event.message;
  const files = filesOfMessage(type, content as Record<string, unknown>, messageId);
  if (files) return { text: files.notes.join("\n"), attachments: files.attachments };
  let text: string;
  let attachments: Attachment[] = [];
  if (type === "text" && typeof content.text === "string") text = content.text;
  else if (type === "post" && Array.isArray(content.content)) {
    // Elements are objects as documented; anything else in a line (null, a number) carries no text.
    const lines = (content.content as unknown[]).map((line) => (Array.isArray(line) ? line : []).map(postElementText).join(""));
    text = [typeof content.title === "string" ? content.title : "", ...lines].filter(Boolean).join("\n");
    attachments = imagesOfPost(content.content as unknown[], messageId);
  } else return null;
  return { text: withMentionNames(text, event.message.mentions, botOpenId).trim(), attachments };
}

export function normalizeMessageEvent(eventId: string, event: MessageEvent, bot: { openId?: string; prefix?: string }): NormalizedLarkEvent {
  if (event.sender.sender_type !== "user") return { kind: "ignored", reason: `message from ${event.sender.sender_type}` };
  const group = event.message.chat_type !== "p2p";
  const mentioned = !!bot.openId && (event.message.mentions ?? []).some((m) => m.id.open_id === bot.openId);
  const content = messageContent(event, bot.openId);
  if (content === null) return { kind: "ignored", reason: `${event.message.message_type} messages are not handled` };
  let { text } = content;
  const { attachments } = content;
  if (text.length > MAX_CONTENT_CHARS) return { kind: "invalid", error: `message text is over ${MAX_CONTENT_CHARS} characters with its mention names` };
  const prefixed = !!bot.prefix && text.startsWith(bot.prefix);
  if (group && !mentioned && !prefixed) return { kind: "ignored", reason: "group message not addressed to the bot" };
  if (prefixed && bot.prefix) text = text.slice(bot.prefix.length).trim();
  if (!text && attachments.length === 0) return { kind: "ignored", reason: "message without text" };
  return {
    kind: "message",
    message: {
      senderId: event.sender.sender_id.open_id,
      conversationId: event.message.chat_id,
      platformMessageId: eventId,
      text,
      ...(attachments.length > 0 ? { attachments } : {}),
      replyContext: { messageId: event.message.message_id },
    },
  };
}
