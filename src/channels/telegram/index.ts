/**
 * Telegram bots in webhook mode (polling.ts is the bridge-served long-polling mode). Inbound updates are checked against the channel's
 * secret_token (X-Telegram-Bot-Api-Secret-Token, compared in constant time) and normalised by
 * telegram-update.ts; replies go out through grammY's Api as HTML replies to the message.
 */
import * as z from "zod";
import { timingSafeEqual } from "../../crypto/compare";
import { randomToken } from "../../crypto/random";
import { describeZodError } from "../../lib/zod-error";
import { parseJson, readBody } from "../shared/read-body";
import { botUsername, telegramApi } from "./api";
import { fetchTelegramAttachment } from "./file";
import { telegramPollingAdapter } from "./polling";
import { sendTelegramReply, TELEGRAM_ALLOWED_UPDATES, TELEGRAM_MAX_MESSAGE_LENGTH } from "./reply";
import { botIdFromToken, normalizeUpdate } from "./update";
import { updateSchema } from "./update-schema";
import type { Update } from "grammy/types";
import type { ChannelAdapter } from "../shared/types";
import { telegramBotFields } from "./bot-fields";
import { telegramStreaming, telegramTyping } from "./stream";
import { answerPress, approvalKeyboard, approvalPressOf } from "./approval";
import { setupFailure } from "./setup-failure";
import { sendTelegramFile } from "./send-file";

export const TELEGRAM_SECRET_HEADER = "x-telegram-bot-api-secret-token";
export { TELEGRAM_ALLOWED_UPDATES, TELEGRAM_MAX_MESSAGE_LENGTH };
/** Webhook mode also takes button presses (approval prompts); the polling mode only messages. */
export const TELEGRAM_WEBHOOK_ALLOWED_UPDATES = [...TELEGRAM_ALLOWED_UPDATES, "callback_query"] as const;
/** How long a Bot API call inside the webhook request (typing, getMe) may delay its answer. */
const IN_REQUEST_TIMEOUT_SECONDS = 2;

const configSchema = z.object({
  ...telegramBotFields,
  secretToken: z
    .string()
    .regex(/^[\w-]{16,256}$/, "secretToken must be 16-256 characters of A-Z, a-z, 0-9, _ and -")
    .optional()
    .meta({ title: "Webhook secret token" })
    .describe(
      "Sent by Telegram on every webhook call (X-Telegram-Bot-Api-Secret-Token) so the gateway knows it is Telegram: 16-256 of A-Z, a-z, 0-9, _ and -. Optional: left empty, one is generated when the channel is created, and setup hands it to Telegram.",
    ),
});
export type TelegramConfig = z.infer<typeof configSchema>;

export const telegramAdapter: ChannelAdapter<TelegramConfig> = {
  type: "telegram",
  description: "Telegram bot (webhook mode, private chats and groups)",
  configSchema,
  secretFields: ["botToken", "secretToken"],
  endpointFields: ["apiBase"],
  setupRegisters: true,
  maxMessageLength: TELEGRAM_MAX_MESSAGE_LENGTH,
  approvalButtons: true,

  prepareConfig: (config) => ({ ...config, secretToken: config.secretToken ?? randomToken() }),

  async verify(request, { config, fetch, waitUntil }) {
    // A channel without a secret would accept anyone's updates: refuse rather than run open.
    if (!config.secretToken) return { kind: "rejected", status: 401, error: "this Telegram channel has no secretToken; set one and run setup again" };
    const given = request.headers.get(TELEGRAM_SECRET_HEADER);
    if (!given) return { kind: "rejected", status: 401, error: "missing X-Telegram-Bot-Api-Secret-Token header" };
    if (!timingSafeEqual(given, config.secretToken)) return { kind: "rejected", status: 401, error: "secret token does not match" };
    if (request.method !== "POST") return { kind: "rejected", status: 400, error: "Telegram webhooks are POST requests" };
    const body = await readBody(request);
    if (!body.ok) return { kind: "rejected", status: 413, error: body.error };
    const json = parseJson(body.raw);
    if (!json.ok) return { kind: "rejected", status: 400, error: json.error };
    const shape = updateSchema.safeParse(json.value);
    if (!shape.success) return { kind: "rejected", status: 400, error: `body is not a Telegram Update: ${describeZodError(shape.error)}` };
    const update = json.value as Update;

    const api = telegramApi(config.botToken, config.apiBase, fetch, IN_REQUEST_TIMEOUT_SECONDS);
    const query = update.callback_query;
    if (query) {
      const press = approvalPressOf(query);
      if (!press) {
        // Not one of our buttons: answered all the same, so the presser's spinner stops.
        await api.answerCallbackQuery(query.id).catch(() => undefined);
        return { kind: "response", response: Response.json({ ok: true, ignored: "not an approval button" }) };
      }
      return {
        kind: "approval",
        press,
        respond: async (outcome) => {
          await answerPress(api, query, press, outcome);
          return Response.json({ ok: true, approval: outcome.kind });
        },
      };
    }
    const isGroup = update.message?.chat.type === "group" || update.message?.chat.type === "supergroup";
    const username = config.botUsername ?? (isGroup ? await botUsername(api) : undefined);
    const normalized = normalizeUpdate(update, { id: botIdFromToken(config.botToken), username });
    if (normalized.kind === "ignored") return { kind: "response", response: Response.json({ ok: true, ignored: normalized.reason }) };

    // The typing indicator shows while the agent works (Telegram clears it after 5 s or on the reply);
    // the webhook's answer does not wait for it.
    const typing = api.sendChatAction(normalized.chatId, "typing").catch(() => undefined);
    if (waitUntil) waitUntil(typing);
    else await typing;
    return { kind: "messages", messages: [normalized.message] };
  },

  async send(message, { config, fetch }) {
    return sendTelegramReply(telegramApi(config.botToken, config.apiBase, fetch), {
      chatId: message.conversationId ?? message.recipient,
      text: message.text,
      replyToMessageId: message.replyContext?.messageId,
      ...(message.approval ? { replyMarkup: approvalKeyboard(message.approval.id) } : {}),
    });
  },

  /** Pictures with sendPhoto, other files with sendDocument, as replies (send-file.ts). */
  async sendFile(message, { config, fetch }) {
    const target = { botToken: config.botToken, apiBase: config.apiBase, chatId: message.conversationId ?? message.recipient };
    return sendTelegramFile({ ...target, replyToMessageId: message.replyContext?.messageId }, message, fetch);
  },

  streaming: telegramStreaming(),
  typing: telegramTyping(),

  /** Photos, documents and voice notes reach the agent through the gateway, never the bot token. */
  fetchAttachment: fetchTelegramAttachment,

  async setup({ channelId, config, publicUrl, fetch }) {
    if (!config.secretToken)
      return {
        ok: false,
        steps: ["This channel has no secretToken: update the channel with one (16-256 characters of A-Z, a-z, 0-9, _ -) and run setup again."],
      };
    const api = telegramApi(config.botToken, config.apiBase, fetch);
    const url = `${publicUrl.replace(/\/$/, "")}/hooks/${channelId}`;
    try {
      const me = await api.getMe();
      await api.setWebhook(url, { secret_token: config.secretToken, allowed_updates: [...TELEGRAM_WEBHOOK_ALLOWED_UPDATES] });
      await api.setMyCommands([{ command: "pair", description: "Pair with a code from the gateway's admin" }]);
      return {
        ok: true,
        steps: [
          `Webhook for @${me.username} set to ${url} with this channel's secret token (updates: ${TELEGRAM_WEBHOOK_ALLOWED_UPDATES.join(", ")}).`,
          `Private chats: write to @${me.username}. Groups: add the bot, then mention @${me.username} or reply to it.`,
          `Pairing: send /pair CODE, or open https://t.me/${me.username}?start=CODE.`,
        ],
      };
    } catch (err) {
      return {
        ok: false,
        steps: [setupFailure(err, "the webhook"), "Check botToken, and that the public URL is HTTPS on port 443, 80, 88 or 8443."],
      };
    }
  },
};

/** The registry picks up every platform folder by its default export (scripts/gen-channel-registry.mjs). */
export default [telegramAdapter, telegramPollingAdapter];
