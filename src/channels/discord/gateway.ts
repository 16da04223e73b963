/**
 * Discord through the bridge's gateway connection (@discordjs/ws): people DM the bot or
 * mention it in a server channel, as on any chat app, instead of typing /ask. The bridge holds
 * the WebSocket (identify with intents, heartbeats, resume after a disconnect, and across its
 * own restarts); messages are normalised by gateway-message.ts and replies are built by
 * reply-body.ts (an embed for a structured reply) and sent with the REST client in api.ts.
 */
import { z } from "zod";
import { bridgeIdField, createBridgedAdapter } from "../shared/bridged";
import { DISCORD_MAX_MESSAGE_LENGTH } from "./api";

const snowflake = z.string().regex(/^\d{15,25}$/, "a Discord id (snowflake) is 15-25 digits");

export const discordGatewayConfigSchema = z.object({
  bridgeId: bridgeIdField,
  /** Bot → Token in the developer portal. */
  botToken: z.string().min(20, "botToken is the bot's token from the Bot page"),
  /** Answer direct messages only; server messages are ignored (and the Message Content intent is not requested). */
  dmOnly: z.boolean().optional(),
  /** Servers (guild ids) where the bot answers mentions; empty or absent: every server it is in. */
  guildIds: z.array(snowflake).max(100).optional(),
  /** REST API root; default https://discord.com/api/v10. The gateway URL comes from its GET /gateway/bot. */
  apiBase: z.url({ protocol: /^https?$/, error: "apiBase must be an http(s) URL" }).optional(),
});
export type DiscordGatewayConfig = z.infer<typeof discordGatewayConfigSchema>;

export const discordGatewayAdapter = createBridgedAdapter<DiscordGatewayConfig>({
  type: "discord-gateway",
  description: "Discord bot on the gateway (via the bridge): DMs and @mentions in servers, typing indicator, embeds",
  configSchema: discordGatewayConfigSchema,
  secretFields: ["botToken"],
  maxMessageLength: DISCORD_MAX_MESSAGE_LENGTH,
  setupSteps: [
    "discord.com/developers/applications → your app → Bot: copy the token; under Privileged Gateway Intents enable MESSAGE CONTENT INTENT (without it Discord refuses the connection, close code 4014; not needed with dmOnly).",
    "Installation (or OAuth2 → URL Generator): scope bot, permissions View Channels, Send Messages, Send Messages in Threads, Read Message History, Embed Links; open the link to add the bot to your server.",
    "DMs: write to the bot (a user who shares a server with it, or has it installed). Servers: mention it (@bot ...) or reply to one of its messages.",
  ],
});
