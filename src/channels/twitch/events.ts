/**
 * Twitch EventSub normalisation (stage 1): the three message types (notification,
 * webhook_callback_verification, revocation); chat messages in the broadcaster's channel
 * addressed to the bot (an @mention, a reply to it, or the command prefix) and whispers to
 * the bot become InboundMessages keyed by the EventSub message id, which retries repeat.
 * https://dev.twitch.tv/docs/eventsub/eventsub-subscription-types/
 */
import * as z from "zod";
import type { InboundMessage } from "../shared/types";

const subscriptionSchema = z.looseObject({ id: z.string(), type: z.string(), status: z.string().optional() });

const chatEventSchema = z.looseObject({
  broadcaster_user_id: z.string(),
  chatter_user_id: z.string(),
  chatter_user_login: z.string().optional(),
  chatter_user_name: z.string().optional(),
  message_id: z.string(),
  message: z.looseObject({
    text: z.string(),
    fragments: z.array(z.looseObject({ type: z.string(), text: z.string(), mention: z.looseObject({ user_id: z.string() }).nullish() })).optional(),
  }),
  reply: z.looseObject({ parent_message_id: z.string(), parent_user_id: z.string() }).nullish(),
});

const whisperEventSchema = z.looseObject({
  from_user_id: z.string(),
  from_user_name: z.string().optional(),
  to_user_id: z.string(),
  whisper_id: z.string(),
  whisper: z.looseObject({ text: z.string() }),
});

export const challengeSchema = z.looseObject({ challenge: z.string().min(1).max(1000), subscription: subscriptionSchema });
export const revocationSchema = z.looseObject({ subscription: subscriptionSchema });
export const notificationSchema = z.looseObject({ subscription: subscriptionSchema, event: z.record(z.string(), z.unknown()) });

export interface TwitchBot {
  /** The bot account's user id: its own messages are ignored, mentions of it address it. */
  botUserId: string;
  /** A text prefix that addresses the bot in chat (e.g. `!ai`). */
  commandPrefix?: string;
}

export type TwitchNotification =
  | { kind: "message"; message: Omit<InboundMessage, "receivedAt"> }
  | { kind: "ignored"; reason: string }
  | { kind: "invalid"; error: string };

function chatText(event: z.infer<typeof chatEventSchema>, bot: TwitchBot): string | null {
  const fragments = event.message.fragments ?? [{ type: "text", text: event.message.text }];
  const mentioned = fragments.some((f) => f.type === "mention" && f.mention?.user_id === bot.botUserId);
  const repliedTo = event.reply?.parent_user_id === bot.botUserId;
  // Without the bot's own @mention, and without the "@bot " Twitch prefixes to a reply.
  const text = fragments
    .filter((f) => !(f.type === "mention" && f.mention?.user_id === bot.botUserId))
    .map((f) => f.text)
    .join("")
    .replace(/\s{2,}/g, " ")
    .trim();
  if (mentioned || repliedTo) return text;
  const prefix = bot.commandPrefix;
  if (prefix && event.message.text.trim().toLowerCase().startsWith(prefix.toLowerCase())) return event.message.text.trim().slice(prefix.length).trim();
  return null;
}

export function normalizeNotification(payload: z.infer<typeof notificationSchema>, messageId: string, bot: TwitchBot): TwitchNotification {
  const type = payload.subscription.type;
  if (type === "channel.chat.message") {
    const parsed = chatEventSchema.safeParse(payload.event);
    if (!parsed.success) return { kind: "invalid", error: "channel.chat.message event without chatter, message id or text" };
    const event = parsed.data;
    if (event.chatter_user_id === bot.botUserId) return { kind: "ignored", reason: "the bot's own chat message" };
    const text = chatText(event, bot);
    if (text === null) return { kind: "ignored", reason: "chat message not addressed to the bot" };
    if (!text) return { kind: "ignored", reason: "empty message" };
    return {
      kind: "message",
      message: {
        senderId: event.chatter_user_id,
        senderName: event.chatter_user_name ?? event.chatter_user_login,
        conversationId: event.broadcaster_user_id,
        platformMessageId: messageId,
        text,
        replyContext: { kind: "chat", broadcasterId: event.broadcaster_user_id, parentMessageId: event.message_id },
      },
    };
  }
  if (type === "user.whisper.message") {
    const parsed = whisperEventSchema.safeParse(payload.event);
    if (!parsed.success) return { kind: "invalid", error: "user.whisper.message event without sender or text" };
    const event = parsed.data;
    if (event.from_user_id === bot.botUserId) return { kind: "ignored", reason: "the bot's own whisper" };
    if (!event.whisper.text.trim()) return { kind: "ignored", reason: "empty whisper" };
    return {
      kind: "message",
      message: {
        senderId: event.from_user_id,
        senderName: event.from_user_name,
        conversationId: `whisper:${event.from_user_id}`,
        platformMessageId: messageId,
        text: event.whisper.text.trim(),
        replyContext: { kind: "whisper" },
      },
    };
  }
  return { kind: "ignored", reason: `subscription type ${type} is not handled` };
}
