/**
 * LINE webhook normalisation (stage 1): one POST carries many events; message events become
 * InboundMessages keyed by `webhookEventId` (repeated on redelivery, so it drives dedupe).
 * One-to-one chats are always answered; in groups and multi-person rooms only messages that
 * mention the bot or start with the channel's prefix are, and the sender is the person.
 * https://developers.line.biz/en/reference/messaging-api/#webhook-event-objects
 */
import * as z from "zod";
import type { Attachment, InboundMessage } from "../shared/types";

/** `line-content:<message id>`: an image kept on LINE's servers, fetched with the channel token. */
export const LINE_CONTENT_SCHEME = "line-content:";
/**
 * LINE documents a reply token as usable for a short time after the webhook (about a minute);
 * past this margin the reply goes out as a push message instead.
 */
export const REPLY_TOKEN_TTL_MS = 50_000;

const sourceSchema = z.looseObject({
  type: z.enum(["user", "group", "room"]),
  userId: z.string().max(100).optional(),
  groupId: z.string().max(100).optional(),
  roomId: z.string().max(100).optional(),
});

const mentioneeSchema = z.looseObject({
  index: z.number().int().min(0),
  length: z.number().int().min(0),
  type: z.string().optional(),
  userId: z.string().optional(),
  isSelf: z.boolean().optional(),
});

const messageSchema = z.looseObject({
  id: z.string().min(1).max(100),
  type: z.string(),
  text: z.string().max(20_000).optional(),
  mention: z.looseObject({ mentionees: z.array(mentioneeSchema) }).optional(),
  contentProvider: z.looseObject({ type: z.string(), originalContentUrl: z.string().optional() }).optional(),
  title: z.string().optional(),
  address: z.string().optional(),
  fileName: z.string().optional(),
  fileSize: z.number().optional(),
  /** Audio: length in milliseconds. */
  duration: z.number().optional(),
});

/** A file's type from its name: LINE's file events carry only the name and size. */
const FILE_TYPES: Record<string, string> = { pdf: "application/pdf", txt: "text/plain", csv: "text/csv", md: "text/markdown", json: "application/json" };
const fileType = (name: string | undefined) => FILE_TYPES[/\.(\w+)$/.exec(name ?? "")?.[1]?.toLowerCase() ?? ""] ?? "application/octet-stream";

const eventSchema = z.looseObject({
  type: z.string().min(1),
  webhookEventId: z.string().min(1).max(100),
  timestamp: z.number().int(),
  mode: z.string().optional(),
  replyToken: z.string().optional(),
  source: sourceSchema.optional(),
  deliveryContext: z.looseObject({ isRedelivery: z.boolean() }),
  message: messageSchema.optional(),
});

export const lineBodySchema = z.looseObject({
  destination: z.string().min(1).max(100),
  events: z.array(eventSchema).max(100),
});

export type LineEvent = z.infer<typeof eventSchema>;
export type LineMessage = z.infer<typeof messageSchema>;

export interface LineNormalizeOptions {
  /** A text prefix that addresses the bot in groups (e.g. `!ai`); mentions always do. */
  groupPrefix?: string;
  /** When the gateway received the body (ms). */
  now: number;
}

export interface LineNormalized {
  messages: Omit<InboundMessage, "receivedAt">[];
  /** One-to-one chats to show the loading animation in while the agent works. */
  loadingChats: string[];
  /** Why each skipped event was skipped, for the 200 answer. */
  ignored: string[];
}

function isSelfMention(m: z.infer<typeof mentioneeSchema>, botUserId: string): boolean {
  return m.isSelf === true || (m.userId !== undefined && m.userId === botUserId);
}

/** The text without the bot's own @mention(s), cut by the offsets LINE gives. */
function withoutSelfMentions(message: LineMessage, botUserId: string): string {
  let text = message.text ?? "";
  const own = (message.mention?.mentionees ?? []).filter((m) => isSelfMention(m, botUserId)).sort((a, b) => b.index - a.index);
  for (const m of own) text = text.slice(0, m.index) + text.slice(m.index + m.length);
  return text.replace(/\s{2,}/g, " ").trim();
}

function content(message: LineMessage): { text: string; attachments: Attachment[] } {
  switch (message.type) {
    case "text":
      return { text: message.text ?? "", attachments: [] };
    case "image": {
      const external = message.contentProvider?.type === "external" ? message.contentProvider.originalContentUrl : undefined;
      return { text: "[image]", attachments: [{ type: "image/jpeg", url: external ?? `${LINE_CONTENT_SCHEME}${message.id}` }] };
    }
    case "location":
      return { text: `[location: ${[message.title, message.address].filter(Boolean).join(", ") || "shared"}]`, attachments: [] };
    case "file":
      return {
        text: `[file: ${message.fileName ?? "unnamed"}]`,
        attachments: [
          {
            type: fileType(message.fileName),
            url: `${LINE_CONTENT_SCHEME}${message.id}`,
            ...(message.fileName ? { name: message.fileName } : {}),
            ...(message.fileSize !== undefined ? { size: message.fileSize } : {}),
          },
        ],
      };
    case "audio": {
      // Recorded in LINE (contentProvider "line"): a voice message, served as m4a by the content API.
      const seconds = message.duration !== undefined ? Math.round(message.duration / 1000) : undefined;
      const external = message.contentProvider?.type === "external" ? message.contentProvider.originalContentUrl : undefined;
      return {
        text: `[voice message${seconds !== undefined ? `, ${seconds} s` : ""}]`,
        attachments: [
          {
            type: "audio/x-m4a",
            url: external ?? `${LINE_CONTENT_SCHEME}${message.id}`,
            voice: true,
            ...(seconds !== undefined ? { durationSeconds: seconds } : {}),
          },
        ],
      };
    }
    default:
      return { text: `[${message.type}]`, attachments: [] };
  }
}

/** Whether a group or room message is meant for the bot; returns the text the agent should see. */
function addressed(message: LineMessage, botUserId: string, prefix: string | undefined): string | null {
  if (message.type !== "text") return null;
  if ((message.mention?.mentionees ?? []).some((m) => isSelfMention(m, botUserId))) return withoutSelfMentions(message, botUserId);
  const text = (message.text ?? "").trim();
  if (prefix && text.toLowerCase().startsWith(prefix.toLowerCase())) return text.slice(prefix.length).trim();
  return null;
}

function normalizeEvent(event: LineEvent, botUserId: string, options: LineNormalizeOptions): Omit<InboundMessage, "receivedAt"> | string {
  if (event.type !== "message" || !event.message) return `${event.type} event is not handled`;
  if (event.mode === "standby") return "channel is in standby mode (another module answers)";
  const source = event.source;
  if (!source?.userId) return "message without a user id";
  const group = source.type !== "user";
  const chatId = source.type === "group" ? source.groupId : source.type === "room" ? source.roomId : source.userId;
  if (!chatId) return `${source.type} message without its ${source.type} id`;

  let { text, attachments } = content(event.message);
  if (group) {
    const cleaned = addressed(event.message, botUserId, options.groupPrefix);
    if (cleaned === null) return "group message not addressed to the bot";
    text = cleaned;
  }
  if (!text) return "empty message";

  // A redelivered event's reply token has most likely expired: answer it with a push message.
  const replyContext: Record<string, string> = { chatId };
  if (event.replyToken && !event.deliveryContext.isRedelivery) {
    replyContext.replyToken = event.replyToken;
    replyContext.replyUntil = String(Math.min(event.timestamp, options.now) + REPLY_TOKEN_TTL_MS);
  }
  return {
    senderId: source.userId,
    conversationId: chatId,
    platformMessageId: event.webhookEventId,
    text,
    attachments: attachments.length > 0 ? attachments : undefined,
    replyContext,
  };
}

export function normalizeLineBody(body: z.infer<typeof lineBodySchema>, options: LineNormalizeOptions): LineNormalized {
  const out: LineNormalized = { messages: [], loadingChats: [], ignored: [] };
  for (const event of body.events) {
    const result = normalizeEvent(event, body.destination, options);
    if (typeof result === "string") {
      out.ignored.push(result);
      continue;
    }
    out.messages.push(result);
    if (event.source?.type === "user" && event.source.userId) out.loadingChats.push(event.source.userId);
  }
  return out;
}
