/**
 * Discord interaction normalisation (stage 1): PING is answered, /ask and /pair become
 * InboundMessages keyed by the interaction id, and the interaction token (valid 15 minutes)
 * travels in replyContext so the reply can edit the deferred response.
 * https://discord.com/developers/docs/interactions/receiving-and-responding
 */
import * as z from "zod";
import { commandText } from "./commands";
import type { Attachment, InboundMessage } from "../shared/types";

/** Interaction types and response types used here (Discord's numbering). */
export const PING = 1;
export const APPLICATION_COMMAND = 2;
export const APPLICATION_COMMAND_AUTOCOMPLETE = 4;
export const PONG = 1;
export const CHANNEL_MESSAGE_WITH_SOURCE = 4;
export const DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE = 5;
export const AUTOCOMPLETE_RESULT = 8;
/** Message flag: only the invoking user sees the message. */
export const EPHEMERAL = 64;

const user = z.looseObject({ id: z.string(), username: z.string().optional(), global_name: z.string().nullish() });
/** Discord's attachment object, the fields used here. */
const attachmentSchema = z.looseObject({ id: z.string(), filename: z.string(), size: z.number(), url: z.string(), content_type: z.string().optional() });
const interactionSchema = z.looseObject({
  id: z.string().min(1).max(30).optional(),
  type: z.number().int(),
  token: z.string().max(1000).optional(),
  application_id: z.string().optional(),
  channel_id: z.string().optional(),
  channel: z.looseObject({ id: z.string() }).optional(),
  member: z.looseObject({ user, nick: z.string().nullish() }).optional(),
  user: user.optional(),
  data: z
    .looseObject({
      name: z.string(),
      options: z.array(z.looseObject({ name: z.string(), type: z.number(), value: z.unknown() })).optional(),
      /** Attachment options' files, by the id the option's value names. */
      resolved: z.looseObject({ attachments: z.record(z.string(), attachmentSchema).optional() }).optional(),
    })
    .optional(),
});

/** `discord-cdn:<url>`: an attachment's signed CDN URL, fetched by the adapter (index.ts fetchAttachment). */
export const DISCORD_CDN_SCHEME = "discord-cdn:";

/** The file of `/ask`'s optional `file` option (type 11, ATTACHMENT), as the pipeline's attachment. */
function askAttachment(data: NonNullable<z.infer<typeof interactionSchema>["data"]>): Attachment | null {
  const id = data.options?.find((o) => o.name === "file" && o.type === 11)?.value;
  const a = typeof id === "string" ? data.resolved?.attachments?.[id] : undefined;
  if (!a) return null;
  return { type: a.content_type ?? "application/octet-stream", url: `${DISCORD_CDN_SCHEME}${a.url}`, name: a.filename, size: a.size };
}

export type NormalizedInteraction =
  | { kind: "respond"; body: Record<string, unknown> }
  | { kind: "message"; message: Omit<InboundMessage, "receivedAt">; ephemeral: boolean }
  | { kind: "invalid"; error: string };

const notice = (content: string) => ({ kind: "respond", body: { type: CHANNEL_MESSAGE_WITH_SOURCE, data: { content, flags: EPHEMERAL } } }) as const;

export function normalizeInteraction(value: unknown): NormalizedInteraction {
  const parsed = interactionSchema.safeParse(value);
  if (!parsed.success) return { kind: "invalid", error: "body is not a Discord interaction" };
  const i = parsed.data;
  if (i.type === PING) return { kind: "respond", body: { type: PONG } };
  if (i.type === APPLICATION_COMMAND_AUTOCOMPLETE) return { kind: "respond", body: { type: AUTOCOMPLETE_RESULT, data: { choices: [] } } };
  if (i.type !== APPLICATION_COMMAND || !i.data) return notice("This app answers the /ask and /pair commands.");

  const text = commandText(i.data.name, i.data.options);
  if (text === null) return notice(i.data.name === "ask" ? "Write a prompt after /ask." : `Unknown command /${i.data.name}.`);
  const invoker = i.member?.user ?? i.user;
  const attachment = i.data.name === "ask" ? askAttachment(i.data) : null;
  if (!invoker || !i.token || !i.id) return { kind: "invalid", error: "command interaction without an id, a user or a token" };
  return {
    kind: "message",
    // A pairing code is nobody else's business: its answer is shown to the invoker only.
    ephemeral: i.data.name === "pair",
    message: {
      senderId: invoker.id,
      senderName: i.member?.nick ?? invoker.global_name ?? invoker.username,
      conversationId: i.channel_id ?? i.channel?.id,
      platformMessageId: i.id,
      text: attachment ? `${text}\n[file: ${attachment.name}]` : text,
      ...(attachment ? { attachments: [attachment] } : {}),
      replyContext: { interactionToken: i.token },
    },
  };
}
