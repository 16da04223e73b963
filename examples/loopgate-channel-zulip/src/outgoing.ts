/**
 * Zulip's outgoing-webhook payload (https://zulip.com/api/outgoing-webhooks, "Zulip format"):
 * what the bot's server receives when someone mentions the bot in a channel or messages it
 * directly. Parsed into the gateway's inbound message plus where the reply goes.
 */
import { type InboundMessage, z } from "loopgate/plugin-kit";

const user = z.object({ id: z.number().int(), email: z.string(), full_name: z.string() });

export const outgoingPayload = z.object({
  /** The bot's fixed outgoing-webhook token (its zuliprc); compared in constant time by verify. */
  token: z.string().min(1),
  bot_email: z.string(),
  bot_full_name: z.string(),
  trigger: z.string(),
  message: z.object({
    id: z.number().int(),
    sender_id: z.number().int(),
    sender_email: z.string(),
    sender_full_name: z.string(),
    content: z.string().max(100_000),
    /** "stream" for a channel message, "private" for a direct one (the GET /messages format). */
    type: z.enum(["stream", "private"]),
    /** The channel's name, or for a direct message everyone in the conversation. */
    display_recipient: z.union([z.string(), z.array(user)]),
    stream_id: z.number().int().optional(),
    subject: z.string(),
  }),
});
export type OutgoingPayload = z.infer<typeof outgoingPayload>;

/** The reply's address, kept in replyContext: Zulip's POST /messages `type`, `to` and `topic`. */
export type ZulipRoute = { type: "stream"; to: string; topic: string } | { type: "direct"; to: string };

export function routeOf(payload: OutgoingPayload): ZulipRoute {
  const m = payload.message;
  if (m.type === "stream") return { type: "stream", to: String(m.stream_id ?? m.display_recipient), topic: m.subject };
  // A group direct message is answered to everyone in it except the bot itself.
  const people = Array.isArray(m.display_recipient) ? m.display_recipient.filter((u) => u.email !== payload.bot_email).map((u) => u.id) : [];
  return { type: "direct", to: JSON.stringify(people.length ? people : [m.sender_id]) };
}

/** The message as the agent sees it: a channel mention loses its leading `@**Bot name**`. */
export function toInbound(payload: OutgoingPayload): Omit<InboundMessage, "receivedAt"> {
  const m = payload.message;
  const mention = `@**${payload.bot_full_name}**`;
  const text = m.content.startsWith(mention) ? m.content.slice(mention.length).trim() : m.content;
  const route = routeOf(payload);
  return {
    senderId: String(m.sender_id),
    senderName: m.sender_full_name,
    conversationId: route.type === "stream" ? `stream:${route.to}:${route.topic}` : `direct:${route.to}`,
    platformMessageId: String(m.id),
    text,
    replyContext: route.type === "stream" ? { type: route.type, to: route.to, topic: route.topic } : { type: route.type, to: route.to },
  };
}
