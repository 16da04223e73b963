/**
 * Discord through the bridge's gateway connection (@discordjs/ws): people DM the bot or
 * mention it in a server channel, as on any chat app, instead of typing /ask. The bridge holds
 * the WebSocket (identify with intents, heartbeats, resume after a disconnect, and across its
 * own restarts); messages are normalised by gateway-message.ts and replies are built by
 * reply-body.ts (an embed for a structured reply) and sent with the REST client in api.ts.
 */
import { fetchDiscordAttachment } from "./attachment";
import type { ChannelAdapter } from "../shared/types";
import * as z from "zod";
import { bridgeIdField, createBridgedAdapter } from "../shared/bridged";
import { DISCORD_MAX_MESSAGE_LENGTH } from "./api";

const snowflake = z.string().regex(/^\d{15,25}$/, "a Discord id (snowflake) is 15-25 digits");

export const discordGatewayConfigSchema = z.object({
  bridgeId: bridgeIdField,
  botToken: z
    .string()
    .min(20, "botToken is the bot's token from the Bot page")
    .meta({ title: "Bot token" })
    .describe(
      "Discord Developer Portal → your app → Bot → Reset Token (shown once). On the same page enable MESSAGE CONTENT INTENT, unless the bot answers direct messages only.",
    ),
  dmOnly: z
    .boolean()
    .optional()
    .meta({ title: "Direct messages only" })
    .describe("Answer direct messages only: messages in servers are ignored and the Message Content intent is not requested. Off: servers too."),
  guildIds: z
    .array(snowflake)
    .max(100)
    .optional()
    .meta({ title: "Servers (guild ids)" })
    .describe(
      "Optional: ids of the servers where the bot answers mentions, up to 100 (in Discord, with Developer Mode on under Advanced settings: right-click the server → Copy Server ID). Empty: every server the bot is in.",
    ),
  apiBase: z
    .url({ protocol: /^https?$/, error: "apiBase must be an http(s) URL" })
    .optional()
    .meta({ title: "REST API root (advanced)" })
    .describe(
      "Optional: leave empty for https://discord.com/api/v10. Set it only for a proxy or a test server; the gateway's address is asked from its GET /gateway/bot.",
    ),
});
export type DiscordGatewayConfig = z.infer<typeof discordGatewayConfigSchema>;

const bridged = createBridgedAdapter<DiscordGatewayConfig>({
  type: "discord-gateway",
  description: "Discord bot on the gateway (via the bridge): DMs and @mentions in servers, typing indicator, embeds",
  configSchema: discordGatewayConfigSchema,
  secretFields: ["botToken"],
  maxMessageLength: DISCORD_MAX_MESSAGE_LENGTH,
  sendsFiles: true,
  setupSteps: [
    "discord.com/developers/applications → your app → Bot: copy the token; under Privileged Gateway Intents enable MESSAGE CONTENT INTENT (without it Discord refuses the connection, close code 4014; not needed with dmOnly).",
    "Installation (or OAuth2 → URL Generator): scope bot, permissions View Channels, Send Messages, Send Messages in Threads, Read Message History, Embed Links; open the link to add the bot to your server.",
    "DMs: write to the bot (a user who shares a server with it, or has it installed). Servers: mention it (@bot ...) or reply to one of its messages.",
  ],
});

export const discordGatewayAdapter: ChannelAdapter<DiscordGatewayConfig> = {
  ...bridged,
  /** Attachments the bridge referred to (`discord-cdn:`), downloaded here from Discord's CDN (attachment.ts). */
  async fetchAttachment(attachment, { config, fetch }, maxBytes) {
    return fetchDiscordAttachment(attachment, { apiBase: config.apiBase, fetch }, maxBytes);
  },
};
