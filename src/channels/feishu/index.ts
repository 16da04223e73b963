/**
 * Feishu / Lark bots over HTTPS event subscription: the url_verification challenge (plain or
 * encrypted), signed and encrypted events (security.ts), schema 2.0 `im.message.receive_v1`
 * normalised by event.ts and deduplicated on event_id; replies to the message with a cached
 * tenant_access_token (api.ts), as Markdown posts or interactive cards (format.ts). Pictures,
 * files and voice messages are downloaded from the message's resources with the same token
 * (resources.ts).
 */
import * as z from "zod";
import { parseJson, readBody } from "../shared/read-body";
import { botOpenId, LARK_DOMAINS, type LarkClient, larkSendResult, replyToMessage, tenantToken } from "./api";
import { messageEventSchema, normalizeMessageEvent } from "./event";
import { larkReply } from "./format";
import { fetchLarkResource } from "./resources";
import { decryptLark, sha256Hex, tokenMatches, verifyLarkSignature } from "./security";
import type { ChannelAdapter, ChannelContext } from "../shared/types";

/** Post messages may be 30 KB; 8,000 characters leave room for 3-byte scripts and JSON escaping. */
export const FEISHU_MAX_MESSAGE_LENGTH = 8000;

const configSchema = z.object({
  appId: z
    .string()
    .regex(/^cli_\w+$/, "appId is the app's App ID (cli_...)")
    .meta({ title: "App ID" })
    .describe("App ID from Credentials & Basic Info (cli_...)"),
  appSecret: z.string().min(16, "appSecret must be the app's App Secret").meta({ title: "App secret" }).describe("App Secret from Credentials & Basic Info"),
  verificationToken: z.string().min(8).meta({ title: "Verification token" }).describe("Events & Callbacks → Encryption Strategy → Verification Token"),
  encryptKey: z
    .string()
    .min(8)
    .optional()
    .meta({ title: "Encrypt key" })
    .describe("Events & Callbacks → Encryption Strategy → Encrypt Key; strongly advised: without it events are neither signed nor encrypted"),
  domain: z
    .enum(["feishu", "lark"])
    .optional()
    .meta({ title: "Region" })
    .describe("feishu for open.feishu.cn (China), lark for open.larksuite.com (international); default feishu"),
  botOpenId: z.string().optional().meta({ title: "Bot open_id" }).describe("The bot's open_id for @mentions in groups; looked up with bot/v3/info when empty"),
  prefix: z
    .string()
    .min(1)
    .max(20)
    .optional()
    .meta({ title: "Group prefix" })
    .describe("In groups, also answer messages starting with this text (besides @mentions), e.g. !ai"),
  apiBase: z
    .url({ protocol: /^https?$/ })
    .optional()
    .meta({ title: "Open API root (advanced)" })
    .describe("Advanced: Open API root, overrides domain; changing it requires the secrets again"),
});
export type FeishuConfig = z.infer<typeof configSchema>;

const envelopeSchema = z.looseObject({
  schema: z.literal("2.0"),
  header: z.looseObject({ event_id: z.string().min(1).max(200), event_type: z.string().min(1).max(200), token: z.string(), app_id: z.string().optional() }),
  event: z.unknown(),
});

function client(config: FeishuConfig, ctx: Pick<ChannelContext<FeishuConfig>, "fetch" | "now">): LarkClient {
  return { appId: config.appId, appSecret: config.appSecret, base: config.apiBase ?? LARK_DOMAINS[config.domain ?? "feishu"], fetch: ctx.fetch, now: ctx.now };
}

type Rejected = { kind: "rejected"; status: 400 | 401; error: string };

/** The event as JSON: decrypted (and its signature checked) when the channel has an Encrypt Key. */
async function openBody(raw: string, config: FeishuConfig, headers: Headers, now: number): Promise<{ ok: true; value: unknown; signed: boolean } | Rejected> {
  const json = parseJson(raw);
  if (!json.ok) return { kind: "rejected", status: 400, error: json.error };
  const encrypted = (json.value as { encrypt?: unknown } | null)?.encrypt;
  if (!config.encryptKey) {
    if (encrypted !== undefined) return { kind: "rejected", status: 400, error: "encrypted event, but this channel has no encryptKey" };
    return { ok: true, value: json.value, signed: false };
  }
  const signed = headers.has("x-lark-signature");
  if (signed) {
    const check = await verifyLarkSignature(config.encryptKey, headers, raw, now);
    if (!check.ok) return { kind: "rejected", status: 401, error: check.error };
  }
  if (typeof encrypted !== "string")
    return { kind: "rejected", status: 400, error: 'this channel has an encryptKey: events must be encrypted ({"encrypt": ...})' };
  const plain = await decryptLark(config.encryptKey, encrypted);
  if (plain === null) return { kind: "rejected", status: 401, error: "event does not decrypt with this channel's encryptKey" };
  const inner = parseJson(plain);
  return inner.ok ? { ok: true, value: inner.value, signed } : { kind: "rejected", status: 400, error: inner.error };
}

export const feishuAdapter: ChannelAdapter<FeishuConfig> = {
  type: "feishu",
  description: "Feishu / Lark bot through HTTPS event subscription (private chats, @mentions in groups)",
  configSchema,
  secretFields: ["appSecret", "verificationToken", "encryptKey"],
  endpointFields: ["apiBase", "domain"],
  maxMessageLength: FEISHU_MAX_MESSAGE_LENGTH,
  // Feishu sends events only once the Request URL is set in the developer console by hand.
  awaitsFirstEvent: true,

  async verify(request, ctx) {
    const { config } = ctx;
    if (request.method !== "POST") return { kind: "rejected", status: 400, error: "Feishu events are POST requests" };
    const body = await readBody(request);
    if (!body.ok) return { kind: "rejected", status: 413, error: body.error };
    const opened = await openBody(body.raw, config, request.headers, ctx.now);
    if (!("ok" in opened)) return opened;
    const value = opened.value as { type?: unknown; token?: unknown; challenge?: unknown };
    // The URL check carries the Verification Token (inside the ciphertext when encrypted) and no signature.
    if (value?.type === "url_verification") {
      if (!tokenMatches(config.verificationToken, value.token)) return { kind: "rejected", status: 401, error: "verification token does not match" };
      if (typeof value.challenge !== "string") return { kind: "rejected", status: 400, error: "url_verification without a challenge" };
      return { kind: "response", response: Response.json({ challenge: value.challenge }) };
    }
    if (config.encryptKey && !opened.signed) return { kind: "rejected", status: 401, error: "missing X-Lark-Signature header" };
    const envelope = envelopeSchema.safeParse(opened.value);
    if (!envelope.success) return { kind: "rejected", status: 400, error: "body is not a schema 2.0 Feishu event" };
    const { header, event } = envelope.data;
    if (!tokenMatches(config.verificationToken, header.token)) return { kind: "rejected", status: 401, error: "verification token does not match" };
    if (header.app_id && header.app_id !== config.appId) return { kind: "rejected", status: 401, error: "event is for another app" };
    // Feishu redelivers anything not answered 200, so events the gateway does not handle are acknowledged.
    if (header.event_type !== "im.message.receive_v1")
      return { kind: "response", response: Response.json({ ok: true, ignored: `${header.event_type} is not handled` }) };
    const message = messageEventSchema.safeParse(event);
    if (!message.success) return { kind: "rejected", status: 400, error: "im.message.receive_v1 without sender or message" };
    let openId = config.botOpenId;
    if (!openId && message.data.message.chat_type !== "p2p")
      openId = await botOpenId(client(config, ctx)).then(
        (b) => b.openId,
        () => undefined,
      );
    const normalized = normalizeMessageEvent(header.event_id, message.data, { openId, prefix: config.prefix });
    if (normalized.kind === "invalid") return { kind: "rejected", status: 400, error: normalized.error };
    if (normalized.kind === "ignored") return { kind: "response", response: Response.json({ ok: true, ignored: normalized.reason }) };
    return { kind: "messages", messages: [normalized.message] };
  },

  async send(message, ctx) {
    const messageId = message.replyContext?.messageId;
    if (!messageId) return { ok: false, retryable: false, error: "no Feishu message to reply to" };
    const lark = client(ctx.config, ctx);
    const { msgType, content } = larkReply(message.text);
    // uuid: at most 50 characters; a digest keeps it unique per delivery.
    const uuid = (await sha256Hex(message.deliveryId)).slice(0, 50);
    try {
      return await larkSendResult(await replyToMessage(lark, messageId, msgType, content, uuid), lark);
    } catch (err) {
      return larkSendResult(err, lark);
    }
  },

  /** A message's picture, file or voice message (`feishu-resource:`), with the tenant token (resources.ts). */
  async fetchAttachment(attachment, ctx, maxBytes) {
    return fetchLarkResource(client(ctx.config, ctx), attachment, maxBytes);
  },

  async setup(ctx) {
    const { config } = ctx;
    const url = `${ctx.publicUrl.replace(/\/$/, "")}/hooks/${ctx.channelId}`;
    const lark = client(config, ctx);
    try {
      await tenantToken(lark);
      const bot = await botOpenId(lark);
      const console = config.domain === "lark" ? "open.larksuite.com/app" : "open.feishu.cn/app";
      // Feishu has no API that sets the event Request URL; it is entered in the developer console.
      return {
        ok: true,
        steps: [
          `App credentials work; the bot's open_id is ${bot.openId}${bot.name ? ` (${bot.name})` : ""}.`,
          `${console} → your app → Events & Callbacks → Event configuration: subscription mode "Send events to developer's server", Request URL ${url} (Feishu sends a url_verification challenge; the gateway answers it).`,
          "Add the event im.message.receive_v1; permissions im:message, im:message.p2p_msg:readonly, im:message.group_at_msg:readonly, im:message:send_as_bot. Publish a version of the app.",
          config.encryptKey
            ? "Encryption Strategy: the Encrypt Key matches this channel's; events are signed and encrypted."
            : "Set an Encrypt Key (Encryption Strategy) and add it to this channel: without it events are not signed.",
        ],
      };
    } catch (err) {
      return {
        ok: false,
        steps: [`Feishu refused the app: ${err instanceof Error ? err.message : String(err)}`, "Check appId, appSecret and domain (feishu or lark)."],
      };
    }
  },
};

/** The registry picks up every platform folder by its default export (scripts/gen-channel-registry.mjs). */
export default [feishuAdapter];
