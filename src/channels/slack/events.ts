/**
 * Slack Events API normalisation (stage 1): the url_verification handshake, direct messages
 * (`message` with channel_type "im") and mentions (`app_mention`) become InboundMessages keyed
 * by event_id, which Slack repeats when it retries. Bot messages and edits are ignored, so the
 * gateway never answers itself.
 * https://api.slack.com/apis/events-api
 */
import * as z from "zod";
import { fromSlackText } from "./format";
import type { Attachment, InboundMessage } from "../shared/types";

const eventSchema = z.looseObject({
  type: z.string(),
  subtype: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().optional(),
  ts: z.string().optional(),
  thread_ts: z.string().optional(),
  channel: z.string().optional(),
  channel_type: z.string().optional(),
  /** Files shared with the message (subtype file_share); bytes are behind url_private and the bot token. */
  files: z
    .array(
      z.looseObject({
        id: z.string(),
        name: z.string().optional(),
        mimetype: z.string().optional(),
        size: z.number().optional(),
        url_private: z.string().optional(),
        url_private_download: z.string().optional(),
        /** `slack_audio`: a clip recorded in Slack, i.e. a voice note. */
        subtype: z.string().optional(),
      }),
    )
    .optional(),
});

/** `slack-file:<url_private>`: a file the adapter downloads with the bot token (index.ts fetchAttachment). */
export const SLACK_FILE_SCHEME = "slack-file:";

function filesOf(event: z.infer<typeof eventSchema>): { notes: string[]; attachments: Attachment[] } {
  const notes: string[] = [];
  const attachments: Attachment[] = [];
  for (const f of event.files ?? []) {
    const url = f.url_private_download ?? f.url_private;
    const voice = f.subtype === "slack_audio";
    notes.push(voice ? "[voice message]" : `[file: ${f.name ?? f.id}]`);
    if (!url) continue;
    attachments.push({
      type: f.mimetype ?? "application/octet-stream",
      url: `${SLACK_FILE_SCHEME}${url}`,
      ...(f.name ? { name: f.name } : {}),
      ...(f.size !== undefined ? { size: f.size } : {}),
      ...(voice ? { voice: true } : {}),
    });
  }
  return { notes, attachments };
}

const payloadSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("url_verification"), challenge: z.string().min(1).max(500) }),
  z.looseObject({ type: z.literal("event_callback"), event_id: z.string().min(1).max(200), event: eventSchema }),
  z.looseObject({ type: z.literal("app_rate_limited") }),
]);

export type SlackPayload =
  | { kind: "challenge"; challenge: string }
  | { kind: "message"; message: Omit<InboundMessage, "receivedAt"> }
  | { kind: "ignored"; reason: string }
  | { kind: "invalid"; error: string };

export function normalizeSlackPayload(value: unknown): SlackPayload {
  const parsed = payloadSchema.safeParse(value);
  if (!parsed.success) return { kind: "invalid", error: "body is not a Slack Events API payload (url_verification or event_callback)" };
  const payload = parsed.data;
  if (payload.type === "url_verification") return { kind: "challenge", challenge: payload.challenge };
  if (payload.type === "app_rate_limited") return { kind: "ignored", reason: "Slack reports the app is rate limited" };

  const event = payload.event;
  // A person sharing a file is a new message too (subtype file_share); every other subtype is an edit, a join, a bot...
  if (event.bot_id || (event.subtype && event.subtype !== "file_share"))
    return { kind: "ignored", reason: `not a person's new message (${event.subtype ?? "bot message"})` };
  const mention = event.type === "app_mention";
  const directMessage = event.type === "message" && event.channel_type === "im";
  if (!mention && !directMessage)
    return { kind: "ignored", reason: `event ${event.type}${event.channel_type ? ` in ${event.channel_type}` : ""} is not handled` };
  if (!event.user || !event.channel || !event.ts || event.text === undefined)
    return { kind: "invalid", error: "message event without user, channel, ts or text" };

  // Mentions in channels are answered in a thread; DMs inline unless already in a thread.
  const threadTs = mention ? (event.thread_ts ?? event.ts) : event.thread_ts;
  const { notes, attachments } = filesOf(event);
  return {
    kind: "message",
    message: {
      senderId: event.user,
      conversationId: event.channel,
      platformMessageId: payload.event_id,
      text: [fromSlackText(event.text, mention), ...notes].filter(Boolean).join("\n"),
      ...(attachments.length ? { attachments } : {}),
      replyContext: threadTs ? { threadTs } : undefined,
    },
  };
}
