/**
 * Mattermost over HTTP: custom slash commands and outgoing webhooks, each verified by its
 * token (constant time), answered with `POST /api/v4/posts` as the bot in the same channel
 * (a webhook's post in its thread). Direct messages need the WebSocket and run on the bridge
 * (bridge/src/channels/mattermost/), which shares this folder's API client. A webhook's files
 * are looked up and downloaded with the bot token from the configured server (files.ts).
 */
import * as z from "zod";
import { timingSafeEqual } from "../../crypto/compare";
import { readBody } from "../shared/read-body";
import { networkSafe } from "../shared/send-result";
import { createPost, type MattermostClient, mattermostCall, mattermostSendResult, isBadRootId } from "./api";
import { fetchMattermostFile, filesOf, lookUpFileInfos } from "./files";
import { fieldsOf, normalizeMattermost } from "./inbound";
import { mattermostTyping } from "./typing";
import { mattermostWsAdapter } from "./websocket";
import type { ChannelAdapter } from "../shared/types";

/** Mattermost posts hold up to 16,383 characters (servers before 5.0: 4,000). */
export const MATTERMOST_MAX_MESSAGE_LENGTH = 16_383;

const configSchema = z
  .object({
    serverUrl: z
      .url({ protocol: /^https?$/, error: "serverUrl must be the server's http(s) URL" })
      .meta({ title: "Server URL" })
      .describe("Your Mattermost server's URL, e.g. https://chat.example.com."),
    botToken: z
      .string()
      .min(20)
      .meta({ title: "Bot token" })
      .describe("Access token of a bot account (System Console → Integrations → Bot Accounts → create, then Create New Token)."),
    slashCommandToken: z
      .string()
      .min(10)
      .optional()
      .meta({ title: "Slash command token" })
      .describe("Token of the custom slash command (Integrations → Slash Commands → your command). Set this, the webhook token, or both."),
    outgoingWebhookToken: z
      .string()
      .min(10)
      .optional()
      .meta({ title: "Outgoing webhook token" })
      .describe("Token of the outgoing webhook (Integrations → Outgoing Webhooks), for messages starting with a trigger word."),
  })
  .refine((c) => c.slashCommandToken || c.outgoingWebhookToken, { message: "set slashCommandToken, outgoingWebhookToken or both" });
export type MattermostConfig = z.infer<typeof configSchema>;

const client = (config: MattermostConfig, fetchFn: typeof fetch): MattermostClient => ({
  serverUrl: config.serverUrl,
  botToken: config.botToken,
  fetch: fetchFn,
});

/** The slash command's immediate answer, seen only by its user; the agent's reply follows as a post. */
const slashAck = () => Response.json({ response_type: "ephemeral", text: "" });

export const mattermostAdapter: ChannelAdapter<MattermostConfig> = {
  type: "mattermost",
  description: "Mattermost slash command and outgoing webhook (answers in the channel, webhook posts in their thread)",
  configSchema,
  secretFields: ["botToken", "slashCommandToken", "outgoingWebhookToken"],
  maxMessageLength: MATTERMOST_MAX_MESSAGE_LENGTH,
  // Mattermost calls only once a slash command or outgoing webhook names this URL, set up by hand.
  awaitsFirstEvent: true,

  async verify(request, { config, fetch }) {
    if (request.method !== "POST") return { kind: "rejected", status: 400, error: "Mattermost integrations POST their requests" };
    const body = await readBody(request);
    if (!body.ok) return { kind: "rejected", status: 413, error: body.error };
    const fields = fieldsOf(body.raw, request.headers.get("content-type") ?? "");
    if (!fields) return { kind: "rejected", status: 400, error: "body must be form-encoded or a JSON object" };
    const token = typeof fields.token === "string" ? fields.token : "";
    if (!token) return { kind: "rejected", status: 401, error: "missing token" };
    const inbound = normalizeMattermost(fields);
    // The token is checked before the body's shape is judged, so a stranger learns nothing about the format.
    const expected = inbound.kind === "slash" ? config.slashCommandToken : inbound.kind === "webhook" ? config.outgoingWebhookToken : undefined;
    const known = [config.slashCommandToken, config.outgoingWebhookToken].filter((t): t is string => !!t);
    if (inbound.kind === "invalid") {
      if (!known.some((t) => timingSafeEqual(t, token))) return { kind: "rejected", status: 401, error: "token does not match" };
      return { kind: "rejected", status: 400, error: inbound.error };
    }
    if (!expected || !timingSafeEqual(expected, token))
      return { kind: "rejected", status: 401, error: `token does not match this channel's ${inbound.kind === "slash" ? "slash command" : "outgoing webhook"}` };
    let message = inbound.message;
    if (inbound.kind === "webhook" && inbound.fileIds.length > 0) {
      // The webhook names the files by id only; their name, type and size decide what the turn does.
      const { infos, missing } = await lookUpFileInfos(client(config, fetch), inbound.fileIds, inbound.postId);
      const { notes, attachments } = filesOf(infos);
      if (missing > 0)
        notes.push(missing === 1 ? "[a file not shown: it could not be looked up]" : `[${missing} files not shown: they could not be looked up]`);
      message = { ...message, text: [message.text, ...notes].filter(Boolean).join("\n"), ...(attachments.length ? { attachments } : {}) };
    }
    if (!message.text) return { kind: "response", response: Response.json({}) };
    return { kind: "messages", messages: [message], ack: inbound.kind === "slash" ? slashAck : () => Response.json({}) };
  },

  async send(message, { config, fetch, now }) {
    const c = client(config, fetch);
    const channelId = message.conversationId ?? message.recipient;
    const rootId = message.replyContext?.rootId;
    return networkSafe(async () => {
      const result = await mattermostSendResult(await createPost(c, channelId, message.text, rootId), now);
      // A post that was itself a reply cannot be a thread root: answer in the channel instead.
      if (!result.ok && rootId && result.errorId && isBadRootId(result.errorId)) return mattermostSendResult(await createPost(c, channelId, message.text), now);
      if (result.ok) return { ok: true, platformMessageId: result.platformMessageId };
      return { ok: false, retryable: result.retryable, retryAfterMs: result.retryAfterMs, error: result.error };
    });
  },

  /** "… is typing" in the channel (or the thread) while the turn runs (typing.ts). */
  typing: mattermostTyping(client),

  /** A webhook post's file (`mattermost-file:<id>`), from the configured server with the bot token (files.ts). */
  async fetchAttachment(attachment, { config, fetch }, maxBytes) {
    return fetchMattermostFile(client(config, fetch), attachment, maxBytes);
  },

  async setup({ channelId, config, publicUrl, fetch }) {
    const url = `${publicUrl.replace(/\/$/, "")}/hooks/${channelId}`;
    const res = await mattermostCall(client(config, fetch), "GET", "/users/me").catch((err: unknown) => err);
    if (!(res instanceof Response) || !res.ok) {
      const why = res instanceof Response ? `HTTP ${res.status}` : String(res);
      return {
        ok: false,
        steps: [`Mattermost rejected the bot token (GET /api/v4/users/me: ${why}). Create a token for the bot account and update botToken.`],
      };
    }
    const me = (await res.json()) as { username?: string; is_bot?: boolean };
    return {
      ok: true,
      steps: [
        `Bot token works: @${me.username ?? "?"}${me.is_bot === false ? " (a user account, not a bot account)" : ""}.`,
        `Slash command: Integrations → Slash Commands → Add: Request URL ${url}, method POST; copy its token into slashCommandToken.`,
        `Outgoing webhook: Integrations → Outgoing Webhooks → Add: content type application/json, a public channel and/or trigger words, callback URL ${url}; copy its token into outgoingWebhookToken.`,
        `Add @${me.username ?? "the bot"} to every channel it should answer in: it posts its answers there itself.`,
      ],
    };
  },
};

/** The registry picks up every platform folder by its default export (scripts/gen-channel-registry.mjs). */
export default [mattermostAdapter, mattermostWsAdapter];
