/**
 * Twitch chat through EventSub's webhook transport: signed messages (signature.ts), the
 * callback verification challenge, revocations that mark the channel broken, and chat
 * messages and whispers addressed to the bot (events.ts). Replies go to chat through Helix
 * Send Chat Message (as a reply to the message) or back as whispers; 500 characters each.
 */
import * as z from "zod";
import { randomToken } from "../../crypto/random";
import { parseJson, readBody } from "../shared/read-body";
import { markdownToPlainText } from "../shared/plain-text";
import { networkSafe } from "../shared/send-result";
import { verifyTwitchSignature, TWITCH_MESSAGE_TYPE } from "./signature";
import { challengeSchema, normalizeNotification, notificationSchema, revocationSchema } from "./events";
import { configSchema, type TwitchConfig } from "./config";
import { createSubscriptions } from "./subscriptions";
import { appAccessToken, forgetAppToken, helix, type TwitchClient, twitchSendResult } from "./api";
import type { ChannelAdapter, SendResult } from "../shared/types";

/** Chat messages and whispers to a new recipient are limited to 500 characters. */
export const TWITCH_MAX_MESSAGE_LENGTH = 500;

export type { TwitchConfig };

export function twitchClient(config: TwitchConfig, fetchFn: typeof fetch): TwitchClient {
  return { clientId: config.clientId, clientSecret: config.clientSecret, apiBase: config.apiBase, authBase: config.authBase, fetch: fetchFn };
}

const noContent = () => new Response(null, { status: 204 });

async function sendChat(client: TwitchClient, config: TwitchConfig, text: string, ctx: Record<string, string>, now: number): Promise<SendResult> {
  const body = {
    broadcaster_id: ctx.broadcasterId ?? config.broadcasterUserId,
    sender_id: config.botUserId,
    message: text,
    ...(ctx.parentMessageId ? { reply_parent_message_id: ctx.parentMessageId } : {}),
  };
  const res = await helix(client, await appAccessToken(client, now), "POST", "/chat/messages", body);
  if (res.status === 401) {
    // An app token can be revoked before it expires: fetch a new one on the next attempt.
    forgetAppToken(client);
    const result = await twitchSendResult(res, now);
    return result.ok ? result : { ...result, retryable: true };
  }
  return twitchSendResult(res, now);
}

async function sendWhisper(client: TwitchClient, config: TwitchConfig, to: string, text: string, now: number): Promise<SendResult> {
  if (!config.userAccessToken)
    return { ok: false, retryable: false, error: "answering whispers needs userAccessToken (the bot's user token with user:manage:whispers)" };
  const path = `/whispers?from_user_id=${encodeURIComponent(config.botUserId)}&to_user_id=${encodeURIComponent(to)}`;
  return twitchSendResult(await helix(client, config.userAccessToken, "POST", path, { message: text }), now);
}

export const twitchAdapter: ChannelAdapter<TwitchConfig> = {
  type: "twitch",
  description: "Twitch chat through EventSub webhooks (@mentions, replies and whispers to the bot)",
  configSchema,
  secretFields: ["clientSecret", "eventSubSecret", "userAccessToken"],
  setupRegisters: true,
  maxMessageLength: TWITCH_MAX_MESSAGE_LENGTH,

  prepareConfig: (config) => ({ ...config, eventSubSecret: config.eventSubSecret ?? randomToken(32) }),

  async verify(request, { config, now }) {
    if (!config.eventSubSecret) return { kind: "rejected", status: 401, error: "this Twitch channel has no eventSubSecret; set one and run setup again" };
    if (request.method !== "POST") return { kind: "rejected", status: 400, error: "EventSub messages are POST requests" };
    const body = await readBody(request);
    if (!body.ok) return { kind: "rejected", status: 413, error: body.error };
    const signature = await verifyTwitchSignature(config.eventSubSecret, request.headers, body.raw, now);
    if (!signature.ok) return { kind: "rejected", status: 403, error: signature.error };
    const json = parseJson(body.raw);
    if (!json.ok) return { kind: "rejected", status: 400, error: json.error };

    const type = request.headers.get(TWITCH_MESSAGE_TYPE);
    if (type === "webhook_callback_verification") {
      const challenge = challengeSchema.safeParse(json.value);
      if (!challenge.success) return { kind: "rejected", status: 400, error: "verification message without a challenge" };
      return { kind: "response", response: new Response(challenge.data.challenge, { headers: { "content-type": "text/plain" } }) };
    }
    if (type === "revocation") {
      const revoked = revocationSchema.safeParse(json.value);
      if (!revoked.success) return { kind: "rejected", status: 400, error: "revocation message without a subscription" };
      const { type: subType, status } = revoked.data.subscription;
      return {
        kind: "response",
        response: noContent(),
        channelError: `Twitch revoked the ${subType} subscription (${status ?? "no reason"}); fix the authorization and run setup again.`,
      };
    }
    if (type !== "notification") return { kind: "rejected", status: 400, error: `unknown Twitch-Eventsub-Message-Type ${type ?? "(missing)"}` };
    const payload = notificationSchema.safeParse(json.value);
    if (!payload.success) return { kind: "rejected", status: 400, error: "notification without subscription and event" };
    const result = normalizeNotification(payload.data, signature.messageId, { botUserId: config.botUserId, commandPrefix: config.commandPrefix });
    if (result.kind === "invalid") return { kind: "rejected", status: 400, error: result.error };
    // Twitch only needs a 2xx; anything we do not answer is acknowledged so it is not retried.
    if (result.kind === "ignored") return { kind: "response", response: noContent() };
    return { kind: "messages", messages: [result.message], ack: noContent };
  },

  async send(message, { config, fetch, now }) {
    const client = twitchClient(config, fetch);
    // Chat shows one line of plain text; the model's line breaks become spaces.
    const text = markdownToPlainText(message.text).replace(/\s*\n+\s*/g, " ");
    const ctx = message.replyContext ?? {};
    return networkSafe(async () => {
      try {
        return ctx.kind === "whisper" ? await sendWhisper(client, config, message.recipient, text, now) : await sendChat(client, config, text, ctx, now);
      } catch (err) {
        return { ok: false, retryable: false, error: err instanceof Error ? err.message : String(err) };
      }
    });
  },

  async setup({ channelId, config, publicUrl, fetch }) {
    if (!config.eventSubSecret)
      return { ok: false, steps: ["This channel has no eventSubSecret: update it with one (10-100 characters) and run setup again."] };
    const callback = `${publicUrl.replace(/\/$/, "")}/hooks/${channelId}`;
    return createSubscriptions(twitchClient(config, fetch), config, callback);
  },
};

/** The registry picks up every platform folder by its default export (scripts/gen-channel-registry.mjs). */
export default [twitchAdapter];
