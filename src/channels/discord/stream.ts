/**
 * Streamed answers to Discord interactions (docs/streaming.md): the deferred response already
 * shows "thinking…" (Discord's typing for interactions), and every change of the answer edits
 * that response (PATCH .../messages/@original with the interaction token, valid 15 minutes);
 * the finished reply is the last edit, as the adapter's send does for the first chunk. DMs
 * without an interaction get the finished reply. Discord publishes its limits per route in
 * X-RateLimit headers; one edit a second stays well inside them for one interaction.
 */
import { networkSafe } from "../shared/send-result";
import type { OutboundMessage, StreamingReplies } from "../shared/types";
import { discordCall, discordSendResult } from "./api";

export const DISCORD_EDIT_INTERVAL_MS = 1000;

type DiscordApp = { applicationId: string; apiBase?: string };

/** The agent may not ping @everyone, roles or users by writing their mention. */
const NO_MENTIONS = { parse: [] as string[] };

export function discordStreaming<C extends DiscordApp>(): StreamingReplies<C> {
  const editOriginal: StreamingReplies<C>["start"] = (message: OutboundMessage, { config, fetch }) =>
    networkSafe(async () => {
      const token = message.replyContext?.interactionToken;
      if (!token) return { ok: false, retryable: false, error: "only answers to interactions stream" };
      const path = `/webhooks/${config.applicationId}/${token}/messages/@original`;
      return discordSendResult(await discordCall({ apiBase: config.apiBase, fetch }, "PATCH", path, { content: message.text, allowed_mentions: NO_MENTIONS }));
    });
  return {
    supports: (target) => Boolean(target.replyContext?.interactionToken),
    minEditIntervalMs: () => DISCORD_EDIT_INTERVAL_MS,
    start: editOriginal,
    edit: (message, _id, ctx) => editOriginal(message, ctx),
  };
}
