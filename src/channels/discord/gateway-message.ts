/**
 * Discord gateway normalisation (stage 1): a MESSAGE_CREATE dispatch becomes one
 * InboundMessage, or a reason to ignore it. DMs are conversations with their author; in a
 * server the bot answers only when mentioned or replied to (and only in the allowed servers,
 * never with dmOnly), so it does not talk over people. The message id is the dedupe key: a
 * dispatch replayed after a resume carries the same one.
 * https://discord.com/developers/docs/events/gateway-events#message-create
 */
import type { APIAttachment, GatewayMessageCreateDispatchData } from "discord-api-types/v10";
import type { Attachment, InboundMessage } from "../shared/types";
import { DISCORD_CDN_SCHEME } from "./interaction";

/** Message flag 1 << 13: the message is a voice message recorded in Discord. */
const IS_VOICE_MESSAGE = 1 << 13;
const MAX_REFERENCE_CHARS = 500;

/**
 * A file as the gateway sees it: its signed CDN URL as a `discord-cdn:` reference (fetched by
 * the Worker's adapter without a token), with the size Discord declares.
 */
function gatewayAttachment(a: APIAttachment, voiceMessage: boolean): Attachment {
  return {
    type: a.content_type ?? "application/octet-stream",
    name: a.filename,
    // The bridge protocol carries references up to 500 characters; a longer URL stays a name only.
    ...(a.url.length <= MAX_REFERENCE_CHARS - DISCORD_CDN_SCHEME.length ? { url: `${DISCORD_CDN_SCHEME}${a.url}` } : {}),
    size: a.size,
    ...(voiceMessage ? { voice: true } : {}),
    ...(voiceMessage && a.duration_secs !== undefined ? { durationSeconds: a.duration_secs } : {}),
  };
}

/** Message types a person writes: DEFAULT and REPLY; joins, pins, boosts... are ignored. */
const PERSON_MESSAGE_TYPES = new Set([0, 19]);

export interface GatewayMessageOptions {
  /** The bot's own user id (from READY). */
  botId: string;
  dmOnly?: boolean;
  /** Servers where mentions are answered; empty or absent: all. */
  guildIds?: readonly string[];
}

export type NormalizedGatewayMessage =
  | { kind: "message"; message: Omit<InboundMessage, "receivedAt">; channelId: string }
  | { kind: "ignored"; reason: string };

function addressesBot(m: GatewayMessageCreateDispatchData, botId: string): boolean {
  if (m.mentions.some((u) => u.id === botId)) return true;
  return m.referenced_message?.author.id === botId;
}

/** Drops the bot's own mention (`<@id>`, `<@!id>`) from the text the agent sees. */
function withoutBotMention(content: string, botId: string): string {
  return content
    .replace(new RegExp(`<@!?${botId}>`, "g"), " ")
    .replace(/[ \t]{2,}/g, " ")
    .trim();
}

export function normalizeGatewayMessage(m: GatewayMessageCreateDispatchData, options: GatewayMessageOptions): NormalizedGatewayMessage {
  if (m.author.id === options.botId) return { kind: "ignored", reason: "the bot's own message" };
  if (m.author.bot || m.webhook_id) return { kind: "ignored", reason: "message from a bot or webhook" };
  if (!PERSON_MESSAGE_TYPES.has(m.type)) return { kind: "ignored", reason: `message type ${m.type} is not a person's message` };
  if (m.guild_id) {
    if (options.dmOnly) return { kind: "ignored", reason: "server message while dmOnly is set" };
    if (options.guildIds?.length && !options.guildIds.includes(m.guild_id)) return { kind: "ignored", reason: "server not in guildIds" };
    if (!addressesBot(m, options.botId)) return { kind: "ignored", reason: "server message not addressed to the bot" };
  }
  // A voice message (flag IS_VOICE_MESSAGE) carries one audio attachment with its length.
  const voiceMessage = ((m.flags ?? 0) & IS_VOICE_MESSAGE) !== 0;
  const notes = m.attachments.map((a) => `[attachment: ${a.filename} (${a.content_type ?? "unknown type"}, ${Math.max(1, Math.round(a.size / 1024))} KiB)]`);
  const text = [withoutBotMention(m.content, options.botId), ...notes].filter(Boolean).join("\n");
  if (!text) return { kind: "ignored", reason: "no text (in a server, the Message Content intent may be off)" };
  return {
    kind: "message",
    channelId: m.channel_id,
    message: {
      senderId: m.author.id,
      senderName: m.member?.nick ?? m.author.global_name ?? m.author.username,
      conversationId: m.channel_id,
      platformMessageId: m.id,
      text,
      attachments: m.attachments.length > 0 ? m.attachments.map((a) => gatewayAttachment(a, voiceMessage)) : undefined,
      // In a server the reply quotes the message it answers; in a DM it simply follows it.
      replyContext: m.guild_id ? { messageId: m.id, guildId: m.guild_id } : { messageId: m.id },
    },
  };
}
