/**
 * WhatsApp through Meta's Cloud API (webhooks in, Graph API out), for users who want
 * WhatsApp without the bridge. Verification and payloads: whatsapp-webhook.ts; Graph errors:
 * whatsapp-errors.ts; markup: whatsapp-format.ts.
 */
import { whatsappWebAdapter } from "./web";
import * as z from "zod";
import { timingSafeEqual } from "../../crypto/compare";
import { randomToken } from "../../crypto/random";
import { describeZodError } from "../../lib/zod-error";
import { parseJson, readBody } from "../shared/read-body";
import { networkSafe } from "../shared/send-result";
import type { ChannelAdapter, ChannelContext } from "../shared/types";
import { whatsappSendResult } from "./errors";
import { fetchWhatsAppMedia } from "./media";
import { toWhatsAppText, WHATSAPP_MAX_TEXT } from "./format";
import { checkHubSignature, normaliseNotification, notificationSchema, SIGNATURE_HEADER } from "./webhook";
import { createLogger } from "../../lib/log";
import { whatsappTyping } from "./typing";

const log = createLogger("whatsapp");

export const DEFAULT_GRAPH_API = "https://graph.facebook.com/v21.0";
/** Free-form replies are allowed for 24 hours after the user's last message. */
export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 60 * 60_000;

const numericId = (what: string) => z.string().regex(/^\d{1,32}$/, `${what} must be the numeric id from the Meta app dashboard`);

const configSchema = z.object({
  phoneNumberId: numericId("phoneNumberId")
    .meta({ title: "Phone number ID" })
    .describe("Meta app dashboard → WhatsApp → API Setup → Phone number ID: the id of the business phone number, not the number itself."),
  accessToken: z
    .string()
    .min(20, "accessToken looks too short")
    .meta({ title: "Access token" })
    .describe(
      "A permanent system-user access token with the whatsapp_business_messaging permission (Meta Business settings → Users → System users → Generate new token).",
    ),
  appSecret: z
    .string()
    .min(16, "appSecret looks too short")
    .meta({ title: "App secret" })
    .describe("Meta app dashboard → App settings → Basic → App secret. Every notification Meta sends is checked against it (X-Hub-Signature-256)."),
  verifyToken: z
    .string()
    .min(16, "verifyToken must be at least 16 characters")
    .optional()
    .meta({ title: "Verify token" })
    .describe(
      "What you enter as Verify token in the Meta app dashboard (WhatsApp → Configuration → Webhook); Meta sends it back when it checks the callback URL. At least 16 characters. Optional: left empty, one is generated when the channel is created and shown once.",
    ),
  apiBase: z
    .url({ protocol: /^https?$/, error: "apiBase must be an http(s) URL" })
    .optional()
    .meta({ title: "Graph API root (advanced)" })
    .describe(`Optional: leave empty for ${DEFAULT_GRAPH_API}. Include the version; set it only for a proxy or a test server.`),
  appId: numericId("appId")
    .optional()
    .meta({ title: "App ID" })
    .describe(
      "Optional: App settings → Basic → App ID. With it, setup subscribes the webhook through the Graph API; without it, setup lists the steps to do it in the dashboard.",
    ),
  wabaId: numericId("wabaId")
    .optional()
    .meta({ title: "WhatsApp Business Account ID" })
    .describe("Optional: WhatsApp → API Setup → WhatsApp Business Account ID. With the App ID, setup also subscribes the app to this account's messages."),
});
export type WhatsAppConfig = z.infer<typeof configSchema>;

const graphBase = (config: WhatsAppConfig) => (config.apiBase ?? DEFAULT_GRAPH_API).replace(/\/$/, "");

export const whatsappAdapter: ChannelAdapter<WhatsAppConfig> = {
  type: "whatsapp",
  description: "WhatsApp Cloud API (Meta webhooks and the Graph API messages endpoint)",
  configSchema,
  secretFields: ["accessToken", "appSecret", "verifyToken"],
  endpointFields: ["apiBase"],
  maxMessageLength: WHATSAPP_MAX_TEXT,

  prepareConfig: (config) => ({ ...config, verifyToken: config.verifyToken ?? randomToken() }),

  async verify(request, { config }) {
    if (request.method === "GET") {
      const q = new URL(request.url).searchParams;
      const token = q.get("hub.verify_token") ?? "";
      if (q.get("hub.mode") !== "subscribe" || !config.verifyToken || !timingSafeEqual(token, config.verifyToken)) {
        return { kind: "rejected", status: 403, error: "verification failed: hub.mode must be subscribe and hub.verify_token must match" };
      }
      return { kind: "response", response: new Response(q.get("hub.challenge") ?? "", { status: 200, headers: { "content-type": "text/plain" } }) };
    }
    if (request.method !== "POST") return { kind: "rejected", status: 400, error: "WhatsApp webhooks are GET (handshake) or POST" };
    const body = await readBody(request);
    if (!body.ok) return { kind: "rejected", status: 413, error: body.error };
    const signature = await checkHubSignature(config.appSecret, request.headers.get(SIGNATURE_HEADER), body.raw);
    if (!signature.ok) return { kind: "rejected", status: 401, error: signature.error };
    const json = parseJson(body.raw);
    if (!json.ok) return { kind: "rejected", status: 400, error: json.error };
    const parsed = notificationSchema.safeParse(json.value);
    if (!parsed.success) return { kind: "rejected", status: 400, error: describeZodError(parsed.error) };
    const { messages, skipped } = normaliseNotification(parsed.data, config.phoneNumberId);
    if (skipped.length) log.info("whatsapp events skipped", { skipped });
    if (messages.length === 0) return { kind: "response", response: Response.json({ ok: true, accepted: 0, skipped: skipped.length }) };
    return { kind: "messages", messages };
  },

  /** Photos, documents and voice messages, through the media id's URL and the access token (media.ts). */
  async fetchAttachment(attachment, { config, fetch }, maxBytes) {
    return fetchWhatsAppMedia(
      attachment,
      { graphBase: graphBase(config), accessToken: config.accessToken, phoneNumberId: config.phoneNumberId, fetch },
      maxBytes,
    );
  },

  async send(message, { config, fetch, now }) {
    const lastInboundAt = Number(message.replyContext?.lastInboundAt);
    if (Number.isFinite(lastInboundAt) && lastInboundAt > 0 && now - lastInboundAt > CUSTOMER_SERVICE_WINDOW_MS) {
      return {
        ok: false,
        retryable: false,
        error: `outside WhatsApp's 24-hour customer service window: ${message.recipient} last wrote at ${new Date(lastInboundAt).toISOString()}; only template messages may be sent until they write again`,
      };
    }
    const body = {
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: message.recipient,
      type: "text",
      text: { preview_url: false, body: toWhatsAppText(message.text) },
      ...(message.inReplyTo ? { context: { message_id: message.inReplyTo } } : {}),
    };
    return networkSafe(async () => {
      const res = await fetch(`${graphBase(config)}/${config.phoneNumberId}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${config.accessToken}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return whatsappSendResult(res, now);
    });
  },

  /** "typing…" on the person's message while the turn runs (typing.ts). */
  typing: whatsappTyping(graphBase),

  setup: (ctx) => (ctx.config.appId ? subscribeWebhook(ctx) : Promise.resolve({ ok: true, steps: manualSteps(ctx) })),
};

function callbackUrl({ publicUrl, channelId }: ChannelContext<WhatsAppConfig>): string {
  return `${publicUrl.replace(/\/$/, "")}/hooks/${channelId}`;
}

function manualSteps(ctx: ChannelContext<WhatsAppConfig>): string[] {
  return [
    "In the Meta app dashboard: WhatsApp → Configuration → Webhook → Edit.",
    `Callback URL: ${callbackUrl(ctx)}`,
    "Verify token: the channel's verifyToken (shown once when the channel was created; set a new one with PUT /api/channels/:id).",
    'Click "Verify and save", then under Webhook fields subscribe to "messages".',
    "Or set appId (and wabaId) in the channel config and run setup again: it subscribes through the Graph API.",
  ];
}

/** Registers the callback with `POST /{app-id}/subscriptions` (Meta verifies it with a GET at once), then subscribes the app to the WABA. */
async function subscribeWebhook(ctx: ChannelContext<WhatsAppConfig>): Promise<{ ok: boolean; steps: string[] }> {
  const { config, fetch } = ctx;
  const base = graphBase(config);
  const form = new URLSearchParams({
    object: "whatsapp_business_account",
    callback_url: callbackUrl(ctx),
    verify_token: config.verifyToken ?? "",
    fields: "messages",
    access_token: `${config.appId}|${config.appSecret}`,
  });
  const steps: string[] = [];
  const sub = await networkSafe(async () => whatsappSendResult(await fetch(`${base}/${config.appId}/subscriptions`, { method: "POST", body: form })));
  if (!sub.ok) return { ok: false, steps: [`subscribing the webhook failed: ${sub.error}`] };
  steps.push(`Webhook ${callbackUrl(ctx)} subscribed to "messages" for app ${config.appId}.`);
  if (config.wabaId) {
    const waba = await networkSafe(async () =>
      whatsappSendResult(
        await fetch(`${base}/${config.wabaId}/subscribed_apps`, { method: "POST", headers: { authorization: `Bearer ${config.accessToken}` } }),
      ),
    );
    if (!waba.ok) return { ok: false, steps: [`subscribing the app to WhatsApp Business Account ${config.wabaId} failed: ${waba.error}`, ...steps] };
    steps.push(`App subscribed to WhatsApp Business Account ${config.wabaId}.`);
  } else {
    steps.push("Set wabaId to also subscribe the app to the WhatsApp Business Account, or do it in WhatsApp Manager.");
  }
  return { ok: true, steps };
}

/** The registry picks up every platform folder by its default export (scripts/gen-channel-registry.mjs). */
export default [whatsappAdapter, whatsappWebAdapter];
