/** The Twitch channel's settings, as the dashboard form and the API validate them. */
import * as z from "zod";

const twitchId = (what: string) => z.string().regex(/^\d{1,20}$/, `${what} is a numeric Twitch user id`);

export const configSchema = z.object({
  clientId: z.string().min(10).max(100).meta({ title: "Client ID" }).describe("Client ID of your app: dev.twitch.tv/console → Applications → Manage."),
  clientSecret: z
    .string()
    .min(10)
    .max(100)
    .meta({ title: "Client secret" })
    .describe("Client secret of the same app (New Secret). Used for the app access token."),
  botUserId: twitchId("botUserId")
    .meta({ title: "Bot user ID" })
    .describe("User id of the bot account that chats (it must have authorized the app with user:read:chat, user:bot, user:write:chat)."),
  broadcasterUserId: twitchId("broadcasterUserId")
    .meta({ title: "Broadcaster user ID" })
    .describe("User id of the channel whose chat the bot joins (the broadcaster authorizes channel:bot, or makes the bot a moderator)."),
  eventSubSecret: z
    .string()
    .regex(/^[\x21-\x7e]{10,100}$/, "eventSubSecret must be 10-100 printable ASCII characters")
    .optional()
    .meta({ title: "EventSub secret" })
    .describe("Secret Twitch signs EventSub messages with, 10-100 printable characters. Optional: left empty, one is generated when the channel is created."),
  userAccessToken: z
    .string()
    .min(10)
    .optional()
    .meta({ title: "Bot user access token" })
    .describe("Optional: the bot account's user access token with user:manage:whispers, needed to answer whispers."),
  commandPrefix: z
    .string()
    .min(1)
    .max(20)
    .optional()
    .meta({ title: "Command prefix" })
    .describe("Optional: chat messages starting with this (e.g. !ai) are answered, besides @mentions and replies."),
  apiBase: z
    .url({ protocol: /^https?$/, error: "apiBase must be an http(s) URL" })
    .optional()
    .meta({ title: "Helix API root (advanced)" })
    .describe("Helix root; leave empty for https://api.twitch.tv/helix."),
  authBase: z
    .url({ protocol: /^https?$/, error: "authBase must be an http(s) URL" })
    .optional()
    .meta({ title: "OAuth root (advanced)" })
    .describe("OAuth root; leave empty for https://id.twitch.tv."),
});
export type TwitchConfig = z.infer<typeof configSchema>;
