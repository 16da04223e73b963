/**
 * What the bridge's Mattermost WebSocket hears (stage 1 for mattermost-ws): a `posted` event,
 * or a post fetched while catching up, becomes an inbound message when it is a direct message
 * to the bot or mentions it. The bot's own posts, other bots' posts, system posts (joins,
 * header changes) and deleted posts are ignored. The post id keys deduplication, so a post
 * seen live and again while catching up is answered once. Attached files come with their infos
 * in `metadata.files` and become attachments the gateway downloads (files.ts).
 * https://developers.mattermost.com/api-documentation/#/#websocket
 */
import * as z from "zod";
import type { InboundMessage } from "../shared/types";
import { fileInfoSchema, filesOf } from "./files";

const id = z.string().regex(/^[a-z0-9]{26}$/);

/** The fields of a Mattermost post this channel reads (a post has many more). */
export const mattermostPostSchema = z.looseObject({
  id,
  create_at: z.number().int().nonnegative(),
  delete_at: z.number().int().nonnegative().default(0),
  user_id: id,
  channel_id: id,
  root_id: z.string().default(""),
  message: z.string().max(100_000),
  type: z.string().default(""),
  props: z.looseObject({ from_bot: z.unknown().optional(), from_webhook: z.unknown().optional() }).optional(),
  file_ids: z.array(z.string()).optional(),
  /** The server fills `files` with the infos of `file_ids` in posted events and fetched posts. */
  metadata: z.looseObject({ files: z.array(z.unknown()).max(100).optional() }).optional(),
});
export type MattermostPost = z.infer<typeof mattermostPostSchema>;

/** `data` of a `posted` event: the post is a JSON string, `mentions` a JSON string array of user ids. */
const postedDataSchema = z.looseObject({
  channel_type: z.string(),
  post: z.string(),
  sender_name: z.string().optional(),
  mentions: z.string().optional(),
});

export interface BotIdentity {
  id: string;
  username: string;
}

/** How the post reached the bridge: the event says whom it mentions; a fetched post is read for `@bot`. */
export interface PostContext {
  /** "D" direct message, "G" group message, "O" public, "P" private channel. */
  channelType: string;
  mentionedIds?: string[];
  senderName?: string;
}

export type PostOutcome =
  | { kind: "message"; message: Omit<InboundMessage, "receivedAt"> }
  | { kind: "ignored"; why: string }
  | { kind: "invalid"; error: string };

/** Reads a `posted` event's data. */
export function parsePostedEvent(data: unknown): { post: MattermostPost; context: PostContext } | { error: string } {
  const event = postedDataSchema.safeParse(data);
  if (!event.success) return { error: "posted event without channel_type or post" };
  let raw: unknown;
  try {
    raw = JSON.parse(event.data.post);
  } catch {
    return { error: "posted event whose post is not JSON" };
  }
  const post = mattermostPostSchema.safeParse(raw);
  if (!post.success) return { error: "posted event with a malformed post" };
  let mentionedIds: string[] | undefined;
  if (event.data.mentions) {
    const mentions = z.array(z.string()).safeParse(safeJson(event.data.mentions));
    mentionedIds = mentions.success ? mentions.data : [];
  }
  // sender_name is "@alice" for a user.
  const senderName = event.data.sender_name?.replace(/^@/, "") || undefined;
  return { post: post.data, context: { channelType: event.data.channel_type, mentionedIds: mentionedIds ?? [], senderName } };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function normalizeMattermostPost(post: MattermostPost, context: PostContext, bot: BotIdentity, options: { dmOnly?: boolean } = {}): PostOutcome {
  if (post.user_id === bot.id) return { kind: "ignored", why: "the bot's own post" };
  if (post.type !== "") return { kind: "ignored", why: `system post ${post.type}` };
  if (post.delete_at > 0) return { kind: "ignored", why: "deleted" };
  // Another bot or an integration: answering it could start two bots talking forever.
  if (post.props?.from_bot === "true" || post.props?.from_bot === true || post.props?.from_webhook === "true")
    return { kind: "ignored", why: "posted by a bot or integration" };

  const direct = context.channelType === "D";
  const mention = `(^|[^\\w.-])@${escapeRegExp(bot.username)}(?![\\w-])`;
  const mentioned = context.mentionedIds ? context.mentionedIds.includes(bot.id) : new RegExp(mention, "i").test(post.message);
  if (!direct && (options.dmOnly || !mentioned)) return { kind: "ignored", why: options.dmOnly ? "not a direct message" : "does not mention the bot" };

  const said = post.message.replace(new RegExp(`${mention}[,:]?[ \\t]*`, "gi"), "$1").trim();
  // Each info is read on its own: one odd entry must not drop the post.
  const files = filesOf(
    (post.metadata?.files ?? []).flatMap((f) => {
      const info = fileInfoSchema.safeParse(f);
      return info.success ? [info.data] : [];
    }),
  );
  // Ids without infos (a server that left metadata out): the model hears a file came.
  const unseen = (post.file_ids?.length ?? 0) - files.attachments.length;
  if (unseen > 0) files.notes.push(unseen === 1 ? "[a file not shown]" : `[${unseen} files not shown]`);
  const text = [said, ...files.notes].filter(Boolean).join("\n");
  if (!text) return { kind: "ignored", why: "empty after the mention" };
  // A mention is answered in its thread (the post's own, or the one it is part of); a DM inline
  // unless the person wrote inside a thread.
  const rootId = post.root_id || (direct ? "" : post.id);
  return {
    kind: "message",
    message: {
      senderId: post.user_id,
      senderName: context.senderName,
      conversationId: post.channel_id,
      platformMessageId: `post:${post.id}`,
      text,
      ...(files.attachments.length ? { attachments: files.attachments } : {}),
      replyContext: rootId ? { rootId } : undefined,
    },
  };
}
