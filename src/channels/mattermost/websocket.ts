/**
 * Mattermost through the bridge's WebSocket (wss://host/api/v4/websocket, the bot's token):
 * direct messages and @mentions, as people use Mattermost, instead of slash commands and
 * trigger words. The bridge holds the socket, catches up on missed posts after a reconnect or
 * a restart (GET /channels/{id}/posts?since=), normalises posts with websocket-post.ts and
 * answers with this folder's REST client (api.ts), mentions in their thread. Files the bridge
 * refers to (`mattermost-file:<id>`) are downloaded here, from serverUrl with the bot token.
 */
import * as z from "zod";
import { bridgeIdField, createBridgedAdapter } from "../shared/bridged";
import type { ChannelAdapter } from "../shared/types";
import { fetchMattermostFile } from "./files";

/** Mattermost posts hold up to 16,383 characters (the HTTP side's limit, index.ts). */
const MATTERMOST_WS_MAX_MESSAGE_LENGTH = 16_383;

export const mattermostWsConfigSchema = z.object({
  bridgeId: bridgeIdField.describe("The bridge that holds the WebSocket (brg_..., see Bridges).").meta({ title: "Bridge" }),
  serverUrl: z
    .url({ protocol: /^https?$/, error: "serverUrl must be the server's http(s) URL" })
    .describe("Your Mattermost server's URL, e.g. https://chat.example.com; the WebSocket is wss://<host>/api/v4/websocket.")
    .meta({ title: "Server URL" }),
  botToken: z
    .string()
    .min(20, "botToken is a bot account's access token")
    .describe("Access token of a bot account (System Console → Integrations → Bot Accounts → create, then Create New Token).")
    .meta({ title: "Bot access token" }),
  dmOnly: z.boolean().optional().describe("Answer direct messages only; @mentions in channels are ignored.").meta({ title: "Direct messages only" }),
});
export type MattermostWsConfig = z.infer<typeof mattermostWsConfigSchema>;

const bridged = createBridgedAdapter<MattermostWsConfig>({
  type: "mattermost-ws",
  description: "Mattermost bot over the WebSocket (via the bridge): DMs and @mentions, mentions answered in their thread",
  configSchema: mattermostWsConfigSchema,
  secretFields: ["botToken"],
  endpointFields: ["serverUrl"],
  maxMessageLength: MATTERMOST_WS_MAX_MESSAGE_LENGTH,
  setupSteps: [
    "System Console → Integrations → Bot Accounts: enable bot account creation; Integrations → Bot Accounts → Add: create the bot, then Create New Token and paste it as botToken.",
    "Add the bot to the teams and channels where it should answer @mentions; anyone can write it a direct message.",
    "The bridge needs HTTPS and WSS to the server (api/v4 and api/v4/websocket); server 6.1 or newer, for catching up on posts missed while it was away.",
  ],
});

export const mattermostWsAdapter: ChannelAdapter<MattermostWsConfig> = {
  ...bridged,
  async fetchAttachment(attachment, { config, fetch }, maxBytes) {
    return fetchMattermostFile({ serverUrl: config.serverUrl, botToken: config.botToken, fetch }, attachment, maxBytes);
  },
};
