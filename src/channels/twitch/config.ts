/** The Twitch channel's settings, as the dashboard form and the API validate them. */
import { z } from "zod";

const twitchId = (what: string) => z.string().regex(/^\d{1,20}$/, `${what} is a numeric Twitch user id`);

export const configSchema = z.object({
  clientId: z.string().min(10).max(100).describe("Client ID of your app: dev.twitch.tv/console → Applications → Manage."),
  clientSecret: z.string().min(10).max(100).describe("Client secret of the same app (New Secret). Used for the app access token."),
  botUserId: twitchId("botUserId").describe(
    "User id of the bot account that chats (it must have authorized the app with user:read:chat, user:bot, user:write:chat).",
  ),
  broadcasterUserId: twitchId("broadcasterUserId").describe(
    "User id of the channel whose chat the bot joins (the broadcaster authorizes channel:bot, or makes the bot a moderator).",
  ),
  eventSubSecret: z
    .string()
    .regex(/^[\x21-\x7e]{10,100}$/, "eventSubSecret must be 10-100 printable ASCII characters")
    .optional()
    .describe("Secret Twitch signs EventSub messages with; leave empty to have one generated."),
  userAccessToken: z
    .string()
    .min(10)
    .optional()
    .describe("Optional: the bot account's user access token with user:manage:whispers, needed to answer whispers."),
  commandPrefix: z
    .string()
    .min(1)
    .max(20)
    .optional()
    .describe("Optional: chat messages starting with this (e.g. !ai) are answered, besides @mentions and replies."),
  apiBase: z
    .url({ protocol: /^https?$/, error: "apiBase must be an http(s) URL" })
    .optional()
    .describe("Helix root; leave empty for https://api.twitch.tv/helix."),
  authBase: z
    .url({ protocol: /^https?$/, error: "authBase must be an http(s) URL" })
    .optional()
    .describe("OAuth root; leave empty for https://id.twitch.tv."),
});
export type TwitchConfig = z.infer<typeof configSchema>;
