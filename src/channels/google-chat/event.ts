/**
 * Google Chat inbound normalisation (stage 1): an interaction event becomes one InboundMessage or
 * a reason to ignore it. Direct messages are answered always; in spaces only @mentions of the app,
 * slash commands and messages starting with the channel's prefix. The sender is the person
 * (`users/{id}`), and the reply goes to the message's thread.
 * https://developers.google.com/workspace/chat/api/reference/rest/v1/Event
 */
import * as z from "zod";
import { chatAttachments } from "./attachments";
import type { InboundMessage } from "../shared/types";

const userSchema = z.looseObject({ name: z.string().min(1).max(200), displayName: z.string().optional(), type: z.string().optional() });
const spaceSchema = z.looseObject({
  name: z.string().regex(/^spaces\/[\w-]+$/),
  type: z.string().optional(),
  spaceType: z.string().optional(),
  singleUserBotDm: z.boolean().optional(),
});

export const chatEventSchema = z.looseObject({
  type: z.string().min(1).max(100),
  space: spaceSchema.optional(),
  user: userSchema.optional(),
  message: z
    .looseObject({
      name: z.string().regex(/^spaces\/[\w-]+\/messages\/[\w.-]+$/),
      sender: userSchema.optional(),
      text: z.string().max(100_000).optional(),
      argumentText: z.string().max(100_000).optional(),
      thread: z.looseObject({ name: z.string().max(300) }).optional(),
      space: spaceSchema.optional(),
      slashCommand: z.looseObject({ commandId: z.union([z.string(), z.number()]) }).optional(),
      annotations: z.array(z.looseObject({ type: z.string(), userMention: z.looseObject({ user: userSchema }).optional() })).optional(),
      /** Uploaded files and Drive files, each read on its own (attachments.ts). */
      attachment: z.array(z.unknown()).max(100).optional(),
    })
    .optional(),
});
export type ChatEvent = z.infer<typeof chatEventSchema>;

/** Event types Chat sends that need no answer from the agent. */
const KNOWN_IGNORED = new Set(["ADDED_TO_SPACE", "REMOVED_FROM_SPACE", "CARD_CLICKED", "WIDGET_UPDATED"]);

export type NormalizedChatEvent =
  | { kind: "message"; message: Omit<InboundMessage, "receivedAt"> }
  | { kind: "ignored"; reason: string }
  | { kind: "invalid"; error: string };

export function normalizeChatEvent(event: ChatEvent, prefix: string | undefined): NormalizedChatEvent {
  if (event.type !== "MESSAGE" && event.type !== "APP_COMMAND") {
    return KNOWN_IGNORED.has(event.type)
      ? { kind: "ignored", reason: `${event.type} needs no reply` }
      : { kind: "invalid", error: `unknown event type ${event.type}` };
  }
  const message = event.message;
  const space = event.space ?? message?.space;
  if (!message || !space) return { kind: "invalid", error: "MESSAGE event without message or space" };
  const sender = message.sender ?? event.user;
  if (!sender) return { kind: "invalid", error: "message without a sender" };
  if (sender.type === "BOT") return { kind: "ignored", reason: "message from an app" };
  const direct = space.type === "DM" || space.spaceType === "DIRECT_MESSAGE" || space.singleUserBotDm === true;
  const mentioned = (message.annotations ?? []).some((a) => a.type === "USER_MENTION" && a.userMention?.user.type === "BOT");
  const raw = (message.text ?? "").trim();
  const prefixed = !!prefix && raw.startsWith(prefix);
  if (!direct && !mentioned && !message.slashCommand && !prefixed) return { kind: "ignored", reason: "space message not addressed to the app" };
  // argumentText is the text without the app's @mention.
  let typed = (mentioned ? (message.argumentText ?? raw) : raw).trim();
  if (prefixed && typed.startsWith(prefix)) typed = typed.slice(prefix.length).trim();
  const { attachments, notes } = chatAttachments(message.attachment);
  const text = [typed, ...notes].filter(Boolean).join("\n");
  if (!text) return { kind: "ignored", reason: "message without text or files" };
  return {
    kind: "message",
    message: {
      senderId: sender.name,
      senderName: sender.displayName,
      conversationId: space.name,
      // The message's resource name is unique and repeated if Chat delivers the event again.
      platformMessageId: message.name,
      text,
      ...(attachments.length ? { attachments } : {}),
      replyContext: message.thread?.name ? { threadName: message.thread.name } : undefined,
    },
  };
}
