/**
 * WhatsApp Web messages (Baileys' WAMessage) as inbound messages: text, pictures, documents,
 * voice notes and audio (videos named) from people, in direct chats, and in groups only when the bot is mentioned. Baileys 7 addresses
 * people by LID (`…@lid`) or phone number (`…@s.whatsapp.net`) and gives the other form as
 * `…Alt`; the sender id prefers the phone number, which is what an admin recognises.
 */
import { isJidBroadcast, isJidGroup, isJidStatusBroadcast, jidNormalizedUser, type WAMessage } from "baileys";
import type { BridgeInboundMessage } from "../../../../src/protocol/bridge";

/** The linked account: its phone-number jid and its LID (mentions in LID groups use the latter). */
export interface WhatsAppSelf {
  id: string;
  lid?: string;
}

/** Text quoted back in a reply is cut here: WhatsApp shows only the first lines anyway. */
const QUOTED_TEXT_MAX = 500;

const isPhoneJid = (jid: string | null | undefined): jid is string => !!jid && jid.endsWith("@s.whatsapp.net");

type Attachment = NonNullable<BridgeInboundMessage["attachments"]>[number];

/** Baileys gives lengths as numbers, protobuf Longs or (from JSON) strings. */
function lengthOf(v: unknown): number | undefined {
  const n = typeof v === "object" && v !== null && "toNumber" in v ? (v as { toNumber(): number }).toNumber() : Number(v);
  return v != null && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/**
 * What a message says, and what it carries, for the kinds the gateway answers; null for
 * everything else. Pictures, documents (with or without a caption), audio (`ptt`: a voice note,
 * with its `seconds`) and videos (named only: the model does not read them) are described with
 * the type and size WhatsApp declares; the bytes are fetched by web.ts.
 */
function contentOf(msg: WAMessage): { text: string; mentioned: string[]; attachment?: Attachment } | null {
  const m = msg.message;
  if (!m) return null;
  if (m.conversation) return { text: m.conversation, mentioned: [] };
  if (m.extendedTextMessage?.text) return { text: m.extendedTextMessage.text, mentioned: m.extendedTextMessage.contextInfo?.mentionedJid ?? [] };
  const size = (v: unknown) => {
    const n = lengthOf(v);
    return n !== undefined ? { size: n } : {};
  };
  if (m.imageMessage) {
    const i = m.imageMessage;
    return { text: i.caption ?? "", mentioned: i.contextInfo?.mentionedJid ?? [], attachment: { type: i.mimetype ?? "image/jpeg", ...size(i.fileLength) } };
  }
  const doc = m.documentMessage ?? m.documentWithCaptionMessage?.message?.documentMessage;
  if (doc) {
    const name = doc.fileName ?? doc.title ?? undefined;
    return {
      text: doc.caption ?? "",
      mentioned: doc.contextInfo?.mentionedJid ?? [],
      attachment: { type: doc.mimetype ?? "application/octet-stream", ...(name ? { name: name.slice(0, 200) } : {}), ...size(doc.fileLength) },
    };
  }
  if (m.audioMessage) {
    const a = m.audioMessage;
    return {
      text: "",
      mentioned: a.contextInfo?.mentionedJid ?? [],
      attachment: {
        type: a.mimetype ?? "audio/ogg",
        ...size(a.fileLength),
        ...(a.ptt ? { voice: true } : {}),
        ...(typeof a.seconds === "number" ? { durationSeconds: a.seconds } : {}),
      },
    };
  }
  if (m.videoMessage) {
    const v = m.videoMessage;
    return {
      text: v.caption ?? "",
      mentioned: v.contextInfo?.mentionedJid ?? [],
      attachment: { type: v.mimetype ?? "video/mp4", name: "video", ...size(v.fileLength) },
    };
  }
  return null;
}

function isSelf(jid: string, self: WhatsAppSelf): boolean {
  const user = jidNormalizedUser(jid);
  return user === jidNormalizedUser(self.id) || (!!self.lid && user === jidNormalizedUser(self.lid));
}

/** Drops the "@<number>" that addressed the bot from the start of a group message. */
function withoutSelfMention(text: string, self: WhatsAppSelf): string {
  const handles = [self.id, self.lid].filter((j): j is string => !!j).map((j) => jidNormalizedUser(j).split("@")[0]);
  let out = text;
  for (const h of handles) out = out.replace(new RegExp(`@${h}\\b\\s*`, "g"), "");
  return out.trim();
}

export interface NormalizeOptions {
  self: WhatsAppSelf;
  /** Whether group messages that mention the bot are answered at all. */
  groups: boolean;
}

export function normalizeWhatsAppMessage(msg: WAMessage, { self, groups }: NormalizeOptions): BridgeInboundMessage | null {
  const key = msg.key;
  const chat = key.remoteJid;
  if (!chat || !key.id || key.fromMe || msg.messageStubType) return null;
  if (isJidStatusBroadcast(chat) || isJidBroadcast(chat) || chat.endsWith("@newsletter")) return null;
  const content = contentOf(msg);
  if (!content) return null;

  const group = isJidGroup(chat) ?? false;
  if (group && (!groups || !content.mentioned.some((j) => isSelf(j, self)))) return null;
  const author = group ? key.participant : chat;
  if (!author) return null;
  const authorAlt = group ? key.participantAlt : key.remoteJidAlt;
  const senderId = jidNormalizedUser(isPhoneJid(author) ? author : isPhoneJid(authorAlt) ? authorAlt : author);
  const text = group ? withoutSelfMention(content.text, self) : content.text.trim();
  if (!text && !content.attachment) return null;

  return {
    senderId,
    senderName: msg.pushName || undefined,
    // Replies go to the chat as WhatsApp addressed it (LID or phone number, or the group).
    conversationId: chat,
    // A message id is unique per chat and author; a redelivery repeats all three.
    platformMessageId: `wa:${chat}:${author}:${key.id}`,
    text,
    ...(content.attachment ? { attachments: [content.attachment] } : {}),
    // Enough to quote the message in the reply (Baileys rebuilds the quote from key + content).
    replyContext: {
      chat,
      id: key.id,
      ...(group ? { participant: author } : {}),
      quotedText: (content.text || quoteLabel(content.attachment)).slice(0, QUOTED_TEXT_MAX),
    },
  };
}

/** How a quoted file without a caption reads in the reply, as WhatsApp labels it. */
function quoteLabel(a: Attachment | undefined): string {
  if (!a) return "";
  if (a.voice) return "🎤 Voice message";
  if (a.type.startsWith("image/")) return "📷 Photo";
  if (a.type.startsWith("video/")) return "🎥 Video";
  if (a.type.startsWith("audio/")) return "🎵 Audio";
  return `📄 ${a.name ?? "Document"}`;
}

/** The original message as Baileys' `quoted` option wants it, rebuilt from a reply's context. */
export function quotedMessage(context: Record<string, string> | undefined): WAMessage | undefined {
  if (!context?.chat || !context.id) return undefined;
  return {
    key: { remoteJid: context.chat, id: context.id, fromMe: false, ...(context.participant ? { participant: context.participant } : {}) },
    message: { conversation: context.quotedText ?? "" },
  };
}
