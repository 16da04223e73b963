/**
 * LINE Messaging API: signed webhooks (signature.ts) carrying many events (events.ts), the
 * loading animation in one-to-one chats, renewed while the agent works (loading.ts), and replies with the reply
 * token while it is valid, otherwise as push messages with an X-Line-Retry-Key; Flex Messages
 * for pairing instructions and job results (flex.ts). Images reach the agent (content.ts).
 */
import * as z from "zod";
import { parseJson, readBody } from "../shared/read-body";
import { networkSafe } from "../shared/send-result";
import { isInvalidReplyToken, type LineClient, lineCall, lineSendResult, retryKeyFor } from "./api";
import { fetchLineContent } from "./content";
import { LINE_CONTENT_SCHEME, lineBodySchema, normalizeLineBody } from "./events";
import { lineMessageFor } from "./flex";
import { lineTyping, showLoading } from "./loading";
import { verifyLineSignature } from "./signature";
import type { ChannelAdapter, SendResult } from "../shared/types";

/** A text message holds at most 5,000 characters. */
export const LINE_MAX_MESSAGE_LENGTH = 5000;
const configSchema = z.object({
  channelAccessToken: z
    .string()
    .min(20, "channelAccessToken is the long-lived token from the Messaging API tab")
    .meta({ title: "Channel access token" })
    .describe("Channel access token (long-lived): LINE Developers Console → your channel → Messaging API tab → Issue."),
  channelSecret: z
    .string()
    .regex(/^[0-9a-zA-Z_-]{8,64}$/, "channelSecret is the channel secret from the Basic settings tab")
    .meta({ title: "Channel secret" })
    .describe("Channel secret: Basic settings tab. It signs every webhook (x-line-signature)."),
  groupPrefix: z
    .string()
    .min(1)
    .max(20)
    .optional()
    .meta({ title: "Group prefix" })
    .describe("Optional: in groups the bot answers @mentions, and also messages starting with this prefix (e.g. !ai)."),
  apiBase: z
    .url({ protocol: /^https?$/, error: "apiBase must be an http(s) URL" })
    .optional()
    .meta({ title: "Messaging API root (advanced)" })
    .describe("Messaging API root; leave empty for https://api.line.me."),
  dataApiBase: z
    .url({ protocol: /^https?$/, error: "dataApiBase must be an http(s) URL" })
    .optional()
    .meta({ title: "Content API root (advanced)" })
    .describe("Content API root for images; leave empty for https://api-data.line.me (or apiBase when that is set)."),
});
export type LineConfig = z.infer<typeof configSchema>;

function client(config: LineConfig, fetchFn: typeof fetch): LineClient {
  return { accessToken: config.channelAccessToken, apiBase: config.apiBase, dataApiBase: config.dataApiBase, fetch: fetchFn };
}

/** Reply chunks are numbered `<turn>:<0000>`; only the first may use the reply token. */
function chunkIndex(deliveryId: string): number {
  const m = /:(\d{4})$/.exec(deliveryId);
  return m ? Number(m[1]) : 0;
}

export const lineAdapter: ChannelAdapter<LineConfig> = {
  type: "line",
  description: "LINE Official Account through the Messaging API (one-to-one chats, groups by @mention)",
  configSchema,
  secretFields: ["channelAccessToken", "channelSecret"],
  setupRegisters: true,
  maxMessageLength: LINE_MAX_MESSAGE_LENGTH,
  typing: lineTyping(client),

  async verify(request, { config, fetch, now }) {
    if (request.method !== "POST") return { kind: "rejected", status: 400, error: "LINE webhooks are POST requests" };
    const body = await readBody(request);
    if (!body.ok) return { kind: "rejected", status: 413, error: body.error };
    const signature = await verifyLineSignature(config.channelSecret, request.headers, body.raw);
    if (!signature.ok) return { kind: "rejected", status: 401, error: signature.error };
    const json = parseJson(body.raw);
    if (!json.ok) return { kind: "rejected", status: 400, error: json.error };
    const parsed = lineBodySchema.safeParse(json.value);
    if (!parsed.success) return { kind: "rejected", status: 400, error: "body is not a LINE webhook (destination and events[] with webhookEventId)" };

    const normalized = normalizeLineBody(parsed.data, { groupPrefix: config.groupPrefix, now });
    // LINE wants a 200 for every signed request, including the console's empty Verify call.
    if (normalized.messages.length === 0)
      return { kind: "response", response: Response.json({ ok: true, ignored: normalized.ignored.length > 0 ? normalized.ignored : "no events" }) };
    await showLoading(client(config, fetch), normalized.loadingChats);
    return { kind: "messages", messages: normalized.messages };
  },

  async send(message, { config, fetch, now }) {
    const c = client(config, fetch);
    const index = chunkIndex(message.deliveryId);
    const lineMessage = lineMessageFor(message.text, { isNotice: message.deliveryId.startsWith("ntc_"), firstChunk: index === 0 });
    const ctx = message.replyContext ?? {};
    const to = ctx.chatId ?? message.conversationId ?? message.recipient;

    return networkSafe(async (): Promise<SendResult> => {
      if (index === 0 && ctx.replyToken && now < Number(ctx.replyUntil ?? 0)) {
        const replied = await lineSendResult(await lineCall(c, "POST", "/v2/bot/message/reply", { replyToken: ctx.replyToken, messages: [lineMessage] }), now);
        if (!isInvalidReplyToken(replied)) return replied;
      }
      const headers = { "x-line-retry-key": await retryKeyFor(message.deliveryId) };
      return lineSendResult(await lineCall(c, "POST", "/v2/bot/message/push", { to, messages: [lineMessage] }, headers), now);
    });
  },

  async fetchAttachment(attachment, { config, fetch }, maxBytes) {
    if (!attachment.url?.startsWith(LINE_CONTENT_SCHEME)) return { ok: false, reason: "unavailable", error: "not LINE message content" };
    return fetchLineContent(client(config, fetch), attachment.url.slice(LINE_CONTENT_SCHEME.length), attachment.type, maxBytes);
  },

  async setup({ channelId, config, publicUrl, fetch }) {
    const c = client(config, fetch);
    const url = `${publicUrl.replace(/\/$/, "")}/hooks/${channelId}`;
    try {
      const info = await lineCall(c, "GET", "/v2/bot/info");
      if (!info.ok) {
        await info.body?.cancel();
        return {
          ok: false,
          steps: [`LINE rejected the channel access token (GET /v2/bot/info: HTTP ${info.status}). Issue a long-lived token on the Messaging API tab.`],
        };
      }
      const bot = (await info.json()) as { displayName?: string; basicId?: string };
      const set = await lineCall(c, "PUT", "/v2/bot/channel/webhook/endpoint", { endpoint: url });
      const setResult = await lineSendResult(set);
      if (!setResult.ok)
        return { ok: false, steps: [`LINE refused the webhook URL ${url}: ${setResult.error}`, "The URL must be HTTPS with a valid certificate."] };
      const test = await lineCall(c, "POST", "/v2/bot/channel/webhook/test", { endpoint: url });
      const tested = (await test.json().catch(() => ({}))) as { success?: boolean; statusCode?: number; reason?: string; detail?: string };
      const steps = [
        `Webhook URL of ${bot.displayName ?? "the bot"} (${bot.basicId ?? "?"}) set to ${url}.`,
        tested.success
          ? "LINE's test delivery reached the gateway and was verified."
          : `LINE's test delivery failed (${tested.statusCode ?? test.status} ${tested.reason ?? ""} ${tested.detail ?? ""}); check the public URL and the channel secret.`,
        "In the LINE Developers Console → Messaging API tab: turn on Use webhook; in the LINE Official Account Manager turn off auto-reply and greeting messages so only the agent answers.",
        `Groups: invite the account, allow it to join groups (Messaging API tab), then mention it${config.groupPrefix ? ` or start a message with ${config.groupPrefix}` : ""}.`,
      ];
      return { ok: tested.success === true, steps };
    } catch (err) {
      return { ok: false, steps: [`Could not reach the LINE API: ${err instanceof Error ? err.message : String(err)}`] };
    }
  },
};

/** The registry picks up every platform folder by its default export (scripts/gen-channel-registry.mjs). */
export default [lineAdapter];
