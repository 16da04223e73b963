/**
 * Telegram inbound normalisation (stage 1): a webhook Update becomes one InboundMessage, or a
 * reason to ignore it. In groups the bot answers only when mentioned, commanded or replied to,
 * so it does not talk over a conversation among people.
 */
import type { Message, MessageEntity, Update } from "grammy/types";
import { TELEGRAM_FILE_SCHEME } from "./file";
import type { Attachment, InboundMessage } from "../shared/types";

/** What the adapter knows about its own bot: the id is the token's prefix, the username comes from getMe. */
export interface BotIdentity {
  id: number;
  /** Without the leading `@`; unknown when getMe failed, then only replies and text mentions count. */
  username?: string;
}

export type NormalizedUpdate = { kind: "message"; message: Omit<InboundMessage, "receivedAt">; chatId: number } | { kind: "ignored"; reason: string };

/** The bot's numeric id: Telegram bot tokens are `<bot id>:<secret>`. */
export function botIdFromToken(token: string): number {
  return Number(token.slice(0, token.indexOf(":")));
}

function entityText(text: string, e: MessageEntity): string {
  return text.slice(e.offset, e.offset + e.length);
}

/** True when a group message is meant for the bot: a mention, a command to it, or a reply to it. */
export function isAddressedToBot(msg: Message, bot: BotIdentity): boolean {
  if (msg.reply_to_message?.from?.id === bot.id) return true;
  const text = msg.text ?? msg.caption ?? "";
  const name = bot.username?.toLowerCase();
  for (const e of msg.entities ?? msg.caption_entities ?? []) {
    if (e.type === "text_mention" && e.user.id === bot.id) return true;
    const t = entityText(text, e).toLowerCase();
    if (name && e.type === "mention" && t === `@${name}`) return true;
    if (name && e.type === "bot_command" && t.endsWith(`@${name}`)) return true;
  }
  return false;
}

function kib(bytes: number | undefined): string {
  return bytes === undefined ? "" : `, ${Math.max(1, Math.round(bytes / 1024))} KiB`;
}

/** Media become attachments (a `telegram-file:` reference, never a URL carrying the bot token) plus a note in the text. */
function media(msg: Message): { notes: string[]; attachments: Attachment[] } {
  const notes: string[] = [];
  const attachments: Attachment[] = [];
  const largest = msg.photo?.at(-1);
  if (largest) {
    notes.push("[photo]");
    attachments.push({
      type: "image/jpeg",
      url: `${TELEGRAM_FILE_SCHEME}${largest.file_id}`,
      name: msg.caption,
      ...(largest.file_size !== undefined ? { size: largest.file_size } : {}),
    });
  }
  if (msg.document) {
    const d = msg.document;
    notes.push(`[document: ${d.file_name ?? "unnamed"} (${d.mime_type ?? "unknown type"}${kib(d.file_size)})]`);
    attachments.push({
      type: d.mime_type ?? "application/octet-stream",
      url: `${TELEGRAM_FILE_SCHEME}${d.file_id}`,
      name: d.file_name,
      ...(d.file_size !== undefined ? { size: d.file_size } : {}),
    });
  }
  if (msg.voice) {
    const v = msg.voice;
    notes.push(`[voice message, ${v.duration} s]`);
    attachments.push({
      type: v.mime_type ?? "audio/ogg",
      url: `${TELEGRAM_FILE_SCHEME}${v.file_id}`,
      voice: true,
      durationSeconds: v.duration,
      ...(v.file_size !== undefined ? { size: v.file_size } : {}),
    });
  }
  if (msg.audio) notes.push(`[audio: ${msg.audio.title ?? msg.audio.file_name ?? "untitled"}, ${msg.audio.duration} s]`);
  if (msg.video) notes.push(`[video, ${msg.video.duration} s]`);
  if (msg.sticker) notes.push(`[sticker${msg.sticker.emoji ? ` ${msg.sticker.emoji}` : ""}]`);
  return { notes, attachments };
}

/**
 * Cleans the text the agent sees: the bot's own @mention is dropped, `/cmd@bot` becomes `/cmd`,
 * and a deep link's `/start CODE` becomes `/pair CODE`, so t.me/<bot>?start=CODE pairs a sender.
 */
function cleanText(text: string, bot: BotIdentity): string {
  let out = text;
  if (bot.username) {
    const name = bot.username.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    out = out.replace(new RegExp(`^(/\\w+)@${name}\\b`, "i"), "$1").replace(new RegExp(`(^|\\s)@${name}\\b`, "gi"), "$1");
  }
  out = out.trim();
  const start = /^\/start(?:@\w+)?(?:\s+(\S+))?$/i.exec(out);
  if (start?.[1]) return `/pair ${start[1]}`;
  return out;
}

function displayName(from: NonNullable<Message["from"]>): string {
  return [from.first_name, from.last_name].filter(Boolean).join(" ") || from.username || String(from.id);
}

export function normalizeUpdate(update: Update, bot: BotIdentity): NormalizedUpdate {
  const msg = update.message;
  if (!msg) return { kind: "ignored", reason: "not a new message (only message updates are handled)" };
  if (!msg.from) return { kind: "ignored", reason: "message without a sender" };
  if (msg.from.is_bot) return { kind: "ignored", reason: "message from a bot" };
  const group = msg.chat.type === "group" || msg.chat.type === "supergroup";
  if (group && !isAddressedToBot(msg, bot)) return { kind: "ignored", reason: "group message not addressed to the bot" };

  const { notes, attachments } = media(msg);
  const text = [cleanText(msg.text ?? msg.caption ?? "", bot), ...notes].filter(Boolean).join("\n");
  if (!text) return { kind: "ignored", reason: "unsupported message type" };
  return {
    kind: "message",
    chatId: msg.chat.id,
    message: {
      senderId: String(msg.from.id),
      senderName: displayName(msg.from),
      conversationId: String(msg.chat.id),
      // message_id is unique per chat only; Telegram re-sends the same one when it retries.
      platformMessageId: `${msg.chat.id}:${msg.message_id}`,
      text,
      attachments: attachments.length > 0 ? attachments : undefined,
      replyContext: { messageId: String(msg.message_id) },
    },
  };
}
