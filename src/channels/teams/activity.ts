/**
 * Teams inbound normalisation (stage 1): a Bot Framework Activity becomes one InboundMessage or a
 * reason to ignore it. Personal chats are answered always; group chats and channels only when the
 * bot is @mentioned or the text starts with the channel's prefix. The sender is the person
 * (their Entra object id), never the room.
 * https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference#activity-object
 */
import * as z from "zod";
import { teamsAttachments } from "./attachments";
import type { InboundMessage } from "../shared/types";

const accountSchema = z.looseObject({ id: z.string().min(1).max(500), name: z.string().optional(), aadObjectId: z.string().optional() });

/** The fields the adapter trusts; Teams adds many more (channelData, locale ...). */
export const activitySchema = z.looseObject({
  type: z.string().min(1).max(100),
  id: z.string().min(1).max(500).optional(),
  serviceUrl: z.url({ protocol: /^https?$/ }),
  channelId: z.string().min(1).max(100),
  from: accountSchema.optional(),
  recipient: accountSchema.optional(),
  conversation: z.looseObject({
    id: z.string().min(1).max(1000),
    conversationType: z.string().optional(),
    isGroup: z.boolean().optional(),
    tenantId: z.string().max(200).optional(),
  }),
  text: z.string().max(100_000).optional(),
  /** An Adaptive Card's Action.Submit data (approval.ts). */
  value: z.unknown().optional(),
  replyToId: z.string().min(1).max(500).optional(),
  entities: z.array(z.looseObject({ type: z.string(), mentioned: accountSchema.optional(), text: z.string().optional() })).optional(),
  /** Pictures, files, the HTML copy of the message, cards: each read on its own (attachments.ts). */
  attachments: z.array(z.unknown()).max(100).optional(),
});
export type Activity = z.infer<typeof activitySchema>;

/** Activity types Bot Framework sends that need no answer from the agent (acknowledged with 200). */
const KNOWN_IGNORED = new Set([
  "conversationUpdate",
  "contactRelationUpdate",
  "typing",
  "messageReaction",
  "messageUpdate",
  "messageDelete",
  "installationUpdate",
  "event",
  "invoke",
  "endOfConversation",
]);

export type NormalizedActivity =
  | { kind: "message"; message: Omit<InboundMessage, "receivedAt"> }
  | { kind: "ignored"; reason: string }
  | { kind: "invalid"; error: string };

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The text without the bot's `<at>name</at>` mention(s) and without a leading prefix. */
function cleanText(activity: Activity, botId: string, prefix: string | undefined): string {
  let text = activity.text ?? "";
  for (const entity of activity.entities ?? []) {
    if (entity.type === "mention" && entity.mentioned?.id === botId && entity.text) text = text.replace(new RegExp(escapeRegExp(entity.text), "g"), " ");
  }
  text = text.replace(/<at>[^<]*<\/at>/g, (m) => m.replace(/<\/?at>/g, "")).trim();
  if (prefix && text.startsWith(prefix)) text = text.slice(prefix.length).trim();
  return text;
}

/** The person's tenant, as Teams names it on the conversation or in channelData. */
function tenantOf(activity: Activity): string | undefined {
  const channelData = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const fromData = typeof channelData?.tenant?.id === "string" ? channelData.tenant.id : undefined;
  return activity.conversation.tenantId ?? fromData;
}

export function normalizeActivity(activity: Activity, prefix: string | undefined): NormalizedActivity {
  if (activity.type !== "message") {
    return KNOWN_IGNORED.has(activity.type)
      ? { kind: "ignored", reason: `${activity.type} activities need no reply` }
      : { kind: "invalid", error: `unknown activity type ${activity.type}` };
  }
  if (!activity.id || !activity.from || !activity.recipient) return { kind: "invalid", error: "message activity without id, from or recipient" };
  const botId = activity.recipient.id;
  if (activity.from.id === botId) return { kind: "ignored", reason: "the bot's own message" };
  const personal = (activity.conversation.conversationType ?? "personal") === "personal" && activity.conversation.isGroup !== true;
  const mentioned = (activity.entities ?? []).some((e) => e.type === "mention" && e.mentioned?.id === botId);
  const prefixed =
    !!prefix &&
    (activity.text ?? "")
      .replace(/<at>[^<]*<\/at>/g, "")
      .trim()
      .startsWith(prefix);
  if (!personal && !mentioned && !prefixed) return { kind: "ignored", reason: "group message not addressed to the bot" };
  const typed = cleanText(activity, botId, prefix);
  const { attachments, notes } = teamsAttachments(activity.attachments);
  const text = [typed, ...notes].filter(Boolean).join("\n");
  if (!text) return { kind: "ignored", reason: "message without text or files" };
  const tenant = tenantOf(activity);
  return {
    kind: "message",
    message: {
      senderId: activity.from.aadObjectId ?? activity.from.id,
      senderName: activity.from.name,
      conversationId: activity.conversation.id,
      // Activity ids are unique per conversation; a redelivery repeats it.
      platformMessageId: `${activity.conversation.id}:${activity.id}`,
      text,
      ...(attachments.length ? { attachments } : {}),
      // Only personal chats stream their replies (stream.ts): the conversation's kind goes with the reply.
      replyContext: {
        serviceUrl: activity.serviceUrl,
        activityId: activity.id,
        conversationType: personal ? "personal" : (activity.conversation.conversationType ?? "groupChat"),
      },
      // A personal chat is the one place a bot may write to this person unprompted later (a
      // proactive message): its reference is kept, the serviceUrl as verified by the JWT.
      ...(personal
        ? {
            directRoute: {
              conversationId: activity.conversation.id,
              replyContext: { serviceUrl: activity.serviceUrl, ...(tenant ? { tenantId: tenant } : {}) },
            },
          }
        : {}),
    },
  };
}
