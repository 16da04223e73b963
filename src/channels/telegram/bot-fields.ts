/** The settings every Telegram bot channel has, webhook or long polling alike. */
import * as z from "zod";

export const telegramBotFields = {
  botToken: z
    .string()
    .regex(/^\d+:[\w-]+$/, "botToken must look like 123456789:AA... (from @BotFather)")
    .meta({ title: "Bot token" })
    .describe("The token @BotFather gives when you create the bot with /newbot (or /token for an existing one), e.g. 123456789:AA..."),
  botUsername: z
    .string()
    .regex(/^\w{3,64}$/, "botUsername is the bot's @name without the @")
    .optional()
    .meta({ title: "Bot username" })
    .describe("Optional: the bot's @name without the @, to recognise mentions in groups. Empty: asked from Telegram (getMe) when needed."),
  apiBase: z
    .url({ protocol: /^https?$/, error: "apiBase must be an http(s) URL" })
    .optional()
    .meta({ title: "Bot API root (advanced)" })
    .describe("Optional: leave empty for https://api.telegram.org. Set it for a self-hosted telegram-bot-api server."),
};
