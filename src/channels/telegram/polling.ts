/**
 * Telegram through the bridge with getUpdates long polling, for a gateway without a public
 * HTTPS URL (a home lab, a laptop). The bridge holds the poll, persists the offset and hands
 * each update to the same normalisation as the webhook (update.ts); replies leave the bridge
 * through the same HTML formatting (reply.ts). A bot is in one mode at a time: this channel's
 * setup (and its first start on the bridge) deletes the bot's webhook; the webhook channel's
 * setup sets it again, and the poller then stands aside instead of fighting over the bot.
 */
import * as z from "zod";
import { bridgeIdField, createBridgedAdapter } from "../shared/bridged";
import { telegramApi } from "./api";
import { TELEGRAM_MAX_MESSAGE_LENGTH } from "./reply";
import type { ChannelAdapter } from "../shared/types";
import { telegramBotFields } from "./bot-fields";
import { fetchTelegramAttachment } from "./file";
import { setupFailure } from "./setup-failure";

/** Telegram holds a long poll open up to this long when no update is waiting. */
export const DEFAULT_POLL_TIMEOUT_SECONDS = 30;

export const telegramPollingConfigSchema = z.object({
  ...telegramBotFields,
  bridgeId: bridgeIdField,
  pollTimeoutSeconds: z
    .number()
    .int()
    .min(1)
    .max(50)
    .optional()
    .meta({ title: "Poll timeout (seconds)" })
    .describe(`Optional: how long one getUpdates request waits for a message before asking again, 1-50 seconds. Empty: ${DEFAULT_POLL_TIMEOUT_SECONDS}.`),
});
export type TelegramPollingConfig = z.infer<typeof telegramPollingConfigSchema>;

const bridged = createBridgedAdapter<TelegramPollingConfig>({
  type: "telegram-polling",
  description: "Telegram bot by long polling (via the bridge): no public URL needed; private chats and groups",
  configSchema: telegramPollingConfigSchema,
  secretFields: ["botToken"],
  maxMessageLength: TELEGRAM_MAX_MESSAGE_LENGTH,
  sendsFiles: true,
  // The bridge paces Telegram itself (bridge/src/channels/telegram/live-edits.ts); this only spares the socket.
  streams: { minIntervalMs: 500 },
  setupSteps: [
    "Private chats: write to the bot. Groups: add it, then mention it or reply to it (with BotFather's privacy mode on, only replies and commands reach it).",
    "One mode per bot: a webhook channel's setup for the same bot makes this channel stand aside (failed, with the reason) until this channel's setup switches the bot back to polling.",
  ],
});

export const telegramPollingAdapter: ChannelAdapter<TelegramPollingConfig> = {
  ...bridged,

  /** Files the bridge referred to, downloaded here as the webhook channel does. */
  fetchAttachment: fetchTelegramAttachment,

  /** Checks the token and switches the bot to polling now, so the bridge finds no webhook in its way. */
  async setup(ctx) {
    const generic = await bridged.setup!(ctx);
    const api = telegramApi(ctx.config.botToken, ctx.config.apiBase, ctx.fetch);
    try {
      const me = await api.getMe();
      const hook = await api.getWebhookInfo();
      if (hook.url) await api.deleteWebhook({ drop_pending_updates: false });
      await api.setMyCommands([{ command: "pair", description: "Pair with a code from the gateway's admin" }]);
      return {
        ok: true,
        steps: [
          hook.url
            ? `Webhook ${hook.url} of @${me.username} deleted (pending updates kept): the bot is in polling mode.`
            : `@${me.username} has no webhook: the bot is in polling mode.`,
          ...generic.steps,
          `Pairing: send /pair CODE, or open https://t.me/${me.username}?start=CODE.`,
        ],
      };
    } catch (err) {
      return { ok: false, steps: [setupFailure(err, "the bot token"), "Check botToken (from @BotFather)."] };
    }
  },
};
