/**
 * The generic webhook channel: any system that can sign a JSON POST can talk to the agent.
 * Inbound `POST /hooks/:channelId`; replies are signed POSTs to the channel's callbackUrl.
 */
import * as z from "zod";
import { randomToken } from "../../crypto/random";
import { describeZodError } from "../../lib/zod-error";
import { parseJson, readBody } from "../shared/read-body";
import { networkSafe, sendResultFromResponse } from "../shared/send-result";
import { checkSignature, signBody } from "../shared/signed-webhook";
import type { ChannelAdapter } from "../shared/types";

const configSchema = z.object({
  secret: z
    .string()
    .min(16, "secret must be at least 16 characters")
    .optional()
    .meta({ title: "Signing secret" })
    .describe(
      "Shared HMAC secret, at least 16 characters: your system signs its requests with it (X-Loopgate-Signature) and the gateway signs its replies with it. Optional: left empty, one is generated when the channel is created and shown once.",
    ),
  previousSecret: z
    .string()
    .min(16, "previousSecret must be at least 16 characters")
    .nullable()
    .optional()
    .meta({ title: "Previous signing secret" })
    .describe(
      "Optional, while your system switches to a new signing secret: the old one, still accepted on incoming requests (replies are signed with the new one only). Remove it (null through the API) once the switch is done.",
    ),
  callbackUrl: z
    .url({ protocol: /^https?$/, error: "callbackUrl must be an http(s) URL" })
    .meta({ title: "Callback URL" })
    .describe("Your system's http(s) address where the agent's replies are POSTed, signed with the signing secret."),
});
export type WebhookConfig = z.infer<typeof configSchema>;

const inboundSchema = z.object({
  messageId: z.string().min(1).max(200),
  sender: z.object({ id: z.string().min(1).max(200), name: z.string().max(200).optional() }),
  text: z.string().max(100_000),
  conversationId: z.string().min(1).max(200).optional(),
});

export const webhookAdapter: ChannelAdapter<WebhookConfig> = {
  type: "webhook",
  description: "Generic signed JSON webhook for custom integrations",
  configSchema,
  secretFields: ["secret", "previousSecret"],
  endpointFields: ["callbackUrl"],
  maxMessageLength: 100_000,
  // The integrating system posts only once someone points it at this URL with the secret.
  awaitsFirstEvent: true,

  prepareConfig: (config) => ({ ...config, secret: config.secret ?? randomToken() }),

  async verify(request, { config, now }) {
    if (request.method !== "POST") return { kind: "rejected", status: 400, error: "webhook channels accept POST only" };
    const body = await readBody(request);
    if (!body.ok) return { kind: "rejected", status: 413, error: body.error };
    let signature = await checkSignature(config.secret ?? "", request.headers, body.raw, now);
    if (!signature.ok && config.previousSecret) {
      const old = await checkSignature(config.previousSecret, request.headers, body.raw, now);
      if (old.ok) signature = old;
    }
    if (!signature.ok) return { kind: "rejected", status: 401, error: signature.error };
    const json = parseJson(body.raw);
    if (!json.ok) return { kind: "rejected", status: 400, error: json.error };
    const parsed = inboundSchema.safeParse(json.value);
    if (!parsed.success) return { kind: "rejected", status: 400, error: describeZodError(parsed.error) };
    const m = parsed.data;
    return {
      kind: "messages",
      messages: [
        {
          senderId: m.sender.id,
          senderName: m.sender.name,
          conversationId: m.conversationId,
          platformMessageId: m.messageId,
          text: m.text,
        },
      ],
    };
  },

  async send(message, { channelId, config, fetch, now }) {
    const body = JSON.stringify({
      channelId,
      conversationId: message.conversationId ?? message.recipient,
      recipient: message.recipient,
      text: message.text,
      inReplyTo: message.inReplyTo ?? null,
    });
    const headers = { "content-type": "application/json", "x-loopgate-delivery": message.deliveryId, ...(await signBody(config.secret ?? "", body, now)) };
    return networkSafe(async () => sendResultFromResponse(await fetch(config.callbackUrl, { method: "POST", headers, body })));
  },

  async setup() {
    return {
      ok: true,
      steps: [
        "POST JSON {messageId, sender:{id,name?}, text, conversationId?} to this channel's inbound URL.",
        'Sign it: X-Loopgate-Timestamp = unix seconds; X-Loopgate-Signature = "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + raw body).',
        "Replies arrive at callbackUrl as a POST signed the same way; X-Loopgate-Delivery is stable across retries, dedupe on it.",
      ],
    };
  },
};

/** The registry picks up every platform folder by its default export (scripts/gen-channel-registry.mjs). */
export default [webhookAdapter];
