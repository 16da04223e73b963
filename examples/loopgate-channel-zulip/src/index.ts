/**
 * Zulip as a Loopgate channel, packaged as a plugin (its package.json declares
 * `"loopgate": {"channel": "./src/index.ts"}`). Inbound: Zulip's outgoing webhook POSTs each
 * mention or direct message of the bot to /hooks/:channelId with the bot's token in the body.
 * Outbound: replies through the REST API as the bot. Only `loopgate/plugin-kit` is imported.
 */
import { type ChannelAdapter, parseJson, readBody, timingSafeEqual, z } from "loopgate/plugin-kit";
import { sendMessage, whoAmI } from "./api";
import { outgoingPayload, toInbound, type ZulipRoute } from "./outgoing";

const configSchema = z.object({
  /** The organisation's URL, e.g. https://example.zulipchat.com. */
  site: z.url({ protocol: /^https?$/, error: "site must be the organisation's http(s) URL" }),
  /** The outgoing-webhook bot's email (Personal settings → Bots). */
  botEmail: z.string().min(3),
  /** The bot's API key, for sending replies. */
  apiKey: z.string().min(1),
  /** The bot's outgoing-webhook token (in its zuliprc); every webhook carries it. */
  token: z.string().min(1),
});
export type ZulipConfig = z.infer<typeof configSchema>;

/** Zulip refuses messages over 10,000 characters (its MAX_MESSAGE_LENGTH). */
const ZULIP_MAX_MESSAGE_CHARS = 10_000;

/** Zulip reads the webhook's answer as the bot's reply; this one says the reply comes later, via the API. */
const noInlineReply = () => Response.json({ response_not_required: true });

export const zulipAdapter: ChannelAdapter<ZulipConfig> = {
  type: "zulip",
  description: "Zulip bot (outgoing webhook; replies through the REST API)",
  configSchema,
  secretFields: ["apiKey", "token"],
  maxMessageLength: ZULIP_MAX_MESSAGE_CHARS,

  async verify(request, { config }) {
    if (request.method !== "POST") return { kind: "rejected", status: 400, error: "Zulip outgoing webhooks are POSTs" };
    const body = await readBody(request);
    if (!body.ok) return { kind: "rejected", status: body.status, error: body.error };
    const json = parseJson(body.raw);
    if (!json.ok) return { kind: "rejected", status: 400, error: json.error };
    const token = (json.value as { token?: unknown } | null)?.token;
    if (typeof token !== "string" || !timingSafeEqual(token, config.token)) return { kind: "rejected", status: 401, error: "wrong or missing bot token" };
    const payload = outgoingPayload.safeParse(json.value);
    if (!payload.success) return { kind: "rejected", status: 400, error: "not a Zulip outgoing-webhook payload" };
    // The bot's own messages never reach the agent.
    if (payload.data.message.sender_email === payload.data.bot_email) return { kind: "response", response: noInlineReply() };
    return { kind: "messages", messages: [toInbound(payload.data)], ack: noInlineReply };
  },

  async send(message, { config, fetch }) {
    const ctx = message.replyContext;
    const route: ZulipRoute =
      ctx?.type === "stream" && ctx.to && ctx.topic !== undefined
        ? { type: "stream", to: ctx.to, topic: ctx.topic }
        : { type: "direct", to: ctx?.type === "direct" && ctx.to ? ctx.to : JSON.stringify([Number(message.recipient)]) };
    return sendMessage(config, route, message.text, fetch);
  },

  async setup({ config, publicUrl, channelId, fetch }) {
    const me = await whoAmI(config, fetch);
    if (!me.ok) return { ok: false, steps: [`Zulip refused the bot's email and API key: ${me.error}`] };
    const hook = `${publicUrl.replace(/\/$/, "")}/hooks/${channelId}`;
    return {
      ok: true,
      steps: [
        `Zulip accepts the API key of ${me.email}${me.isBot ? "" : " (not a bot account: replies will come from a person)"}.`,
        `In Zulip, Personal settings → Bots → edit ${config.botEmail}: set the Endpoint URL to ${hook} and the format to Zulip.`,
        "Mention the bot in a channel or send it a direct message; its answer arrives as a reply in the same conversation.",
      ],
    };
  },
};

export default zulipAdapter;
