/**
 * Mattermost's HTTP integrations (stage 1): custom slash commands and outgoing webhooks POST
 * form-encoded (or, for webhooks, JSON) fields with the integration's token. Both are already
 * addressed to the bot (the command, or a trigger word), so every one is answered; the sender
 * is the user, and a webhook's post is answered in its thread. A webhook lists the post's files
 * as `file_ids` (comma-separated); index.ts looks up their infos (files.ts).
 * https://developers.mattermost.com/integrate/slash-commands/custom/
 * https://developers.mattermost.com/integrate/webhooks/outgoing/
 */
import * as z from "zod";
import type { InboundMessage } from "../shared/types";
import { fileIdsOf } from "./files";

const id = z.string().regex(/^[a-z0-9]{26}$/, "Mattermost ids are 26 lowercase letters and digits");

export const slashCommandSchema = z.looseObject({
  token: z.string().min(1),
  command: z.string().regex(/^\/\S+$/),
  text: z.string().max(16_383).default(""),
  channel_id: id,
  user_id: id,
  user_name: z.string().optional(),
  trigger_id: z.string().min(1).max(1000),
  root_id: z.string().optional(),
});

export const outgoingWebhookSchema = z.looseObject({
  token: z.string().min(1),
  channel_id: id,
  user_id: id,
  user_name: z.string().optional(),
  post_id: id,
  text: z.string().max(16_383),
  trigger_word: z.string().default(""),
});

export type MattermostInbound =
  | { kind: "slash"; token: string; message: Omit<InboundMessage, "receivedAt"> }
  | { kind: "webhook"; token: string; message: Omit<InboundMessage, "receivedAt">; postId: string; fileIds: string[] }
  | { kind: "invalid"; error: string };

/** Reads the body by content type: slash commands are always form-encoded, webhooks either. */
export function fieldsOf(raw: string, contentType: string): Record<string, unknown> | null {
  if (contentType.includes("application/json")) {
    try {
      const value: unknown = JSON.parse(raw);
      return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }
  if (contentType.includes("application/x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(raw));
  return null;
}

export function normalizeMattermost(fields: Record<string, unknown>): MattermostInbound {
  if ("command" in fields) {
    const parsed = slashCommandSchema.safeParse(fields);
    if (!parsed.success) return { kind: "invalid", error: "slash command without token, command, channel_id, user_id or trigger_id" };
    const c = parsed.data;
    return {
      kind: "slash",
      token: c.token,
      message: {
        senderId: c.user_id,
        senderName: c.user_name,
        conversationId: c.channel_id,
        // Mattermost does not retry slash commands; trigger_id is unique per invocation.
        platformMessageId: `slash:${c.trigger_id}`,
        text: c.text.trim() || c.command,
        replyContext: c.root_id ? { rootId: c.root_id } : undefined,
      },
    };
  }
  const parsed = outgoingWebhookSchema.safeParse(fields);
  if (!parsed.success) return { kind: "invalid", error: "neither a slash command nor an outgoing webhook (token, channel_id, user_id, post_id, text)" };
  const w = parsed.data;
  const trigger = w.trigger_word;
  // The trigger word addressed the bot; the agent sees the rest.
  const text = trigger && w.text.startsWith(trigger) ? w.text.slice(trigger.length).trim() : w.text.trim();
  return {
    kind: "webhook",
    token: w.token,
    postId: w.post_id,
    fileIds: fileIdsOf(fields.file_ids),
    message: {
      senderId: w.user_id,
      senderName: w.user_name,
      conversationId: w.channel_id,
      platformMessageId: `post:${w.post_id}`,
      text: text || w.text.trim(),
      replyContext: { rootId: w.post_id },
    },
  };
}
