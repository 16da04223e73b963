/**
 * Google Chat apps over HTTP: each event carries a Google-signed bearer token (auth.ts, both
 * audience settings) and is normalised by event.ts; the request is answered at once with `{}`
 * and the reply goes out asynchronously through spaces.messages.create in the message's thread,
 * with a service-account token (api.ts), as Chat text or a Card v2 (format.ts). Files uploaded to
 * Chat reach the agent through the media API (attachments.ts, media.ts).
 */
import * as z from "zod";
import { bearerToken } from "../shared/jwks-cache";
import { parseJson, readBody } from "../shared/read-body";
import { chatAccessToken, type ChatClient, chatSendResult, createMessage, parseServiceAccountKey } from "./api";
import { type ChatAudience, CHAT_CERTS_URL, GOOGLE_ID_TOKEN_CERTS_URL, verifyChatToken } from "./auth";
import { chatEventSchema, normalizeChatEvent } from "./event";
import { chatMessageBody } from "./format";
import { fetchChatMedia } from "./media";
import type { ChannelAdapter, ChannelContext } from "../shared/types";

/** Chat messages hold up to 4,096 characters of text. */
export const GOOGLE_CHAT_MAX_MESSAGE_LENGTH = 4096;

const configSchema = z
  .object({
    audienceType: z
      .enum(["project-number", "endpoint-url"])
      .meta({ title: "Authentication audience" })
      .describe("Chat API → Configuration → Authentication Audience: 'project-number' (Project Number) or 'endpoint-url' (HTTP endpoint URL)"),
    projectNumber: z
      .string()
      .regex(/^\d{6,20}$/, "projectNumber is the Cloud project's number (digits)")
      .optional()
      .meta({ title: "Project number" })
      .describe("For the project-number audience: the Google Cloud project number (IAM & Admin → Settings)"),
    endpointUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .meta({ title: "Endpoint URL" })
      .describe("For the endpoint-url audience: the HTTP endpoint URL exactly as entered in Chat (default: this channel's inbound URL)"),
    serviceAccountKey: z
      .string()
      .refine(
        (v) => parseServiceAccountKey(v) !== null,
        "serviceAccountKey must be a service account's JSON key (type service_account, client_email, private_key)",
      )
      .meta({ title: "Service account key" })
      .describe("The Chat app's service account JSON key, pasted whole (IAM → Service accounts → Keys → Add key → JSON)"),
    prefix: z
      .string()
      .min(1)
      .max(20)
      .optional()
      .meta({ title: "Space prefix" })
      .describe("In spaces, also answer messages starting with this text (besides @mentions and slash commands), e.g. !ai"),
    apiBase: z
      .url({ protocol: /^https?$/ })
      .optional()
      .meta({ title: "Chat API root (advanced)" })
      .describe("Advanced: Chat API root (default https://chat.googleapis.com); changing it requires the key again"),
    certsUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .meta({ title: "Token signing keys URL (advanced)" })
      .describe("Advanced: key set that signs Chat's tokens (default Google's for the chosen audience); changing it requires the key again"),
  })
  .refine((c) => c.audienceType !== "project-number" || c.projectNumber, {
    message: "projectNumber is required for the project-number audience",
    path: ["projectNumber"],
  });
export type GoogleChatConfig = z.infer<typeof configSchema>;

function client(config: GoogleChatConfig, ctx: Pick<ChannelContext<GoogleChatConfig>, "fetch" | "now">): ChatClient {
  const key = parseServiceAccountKey(config.serviceAccountKey);
  if (!key) throw new Error("serviceAccountKey is not a service account key");
  return { key, apiBase: config.apiBase, fetch: ctx.fetch, now: ctx.now };
}

function audience(config: GoogleChatConfig, inboundUrl: string): ChatAudience {
  return config.audienceType === "project-number"
    ? { kind: "project-number", projectNumber: config.projectNumber ?? "", certsUrl: config.certsUrl ?? CHAT_CERTS_URL }
    : { kind: "endpoint-url", endpointUrl: config.endpointUrl ?? inboundUrl, certsUrl: config.certsUrl ?? GOOGLE_ID_TOKEN_CERTS_URL };
}

const inboundUrlOf = (publicUrl: string, channelId: string) => `${publicUrl.replace(/\/$/, "")}/hooks/${channelId}`;

export const googleChatAdapter: ChannelAdapter<GoogleChatConfig> = {
  type: "google-chat",
  description: "Google Chat app over HTTP (direct messages, @mentions and slash commands in spaces, replies in threads)",
  configSchema,
  secretFields: ["serviceAccountKey"],
  endpointFields: ["apiBase", "certsUrl"],
  maxMessageLength: GOOGLE_CHAT_MAX_MESSAGE_LENGTH,
  // Google Chat calls only once the app's HTTP endpoint is set in the Cloud console by hand.
  awaitsFirstEvent: true,

  async verify(request, ctx) {
    if (request.method !== "POST") return { kind: "rejected", status: 400, error: "Google Chat events are POST requests" };
    const token = bearerToken(request.headers);
    if (!token) return { kind: "rejected", status: 401, error: "missing Authorization: Bearer token" };
    const auth = await verifyChatToken(token, audience(ctx.config, inboundUrlOf(ctx.publicUrl, ctx.channelId)), ctx.fetch, ctx.now);
    if (!auth.ok) return { kind: "rejected", status: 401, error: auth.error };
    const body = await readBody(request);
    if (!body.ok) return { kind: "rejected", status: 413, error: body.error };
    const json = parseJson(body.raw);
    if (!json.ok) return { kind: "rejected", status: 400, error: json.error };
    const parsed = chatEventSchema.safeParse(json.value);
    if (!parsed.success) return { kind: "rejected", status: 400, error: "body is not a Google Chat event (type, space, message)" };
    const normalized = normalizeChatEvent(parsed.data, ctx.config.prefix);
    if (normalized.kind === "invalid") return { kind: "rejected", status: 400, error: normalized.error };
    // An empty JSON object tells Chat there is no synchronous reply; the answer comes through the API.
    if (normalized.kind === "ignored") return { kind: "response", response: Response.json({}) };
    return { kind: "messages", messages: [normalized.message], ack: () => Response.json({}) };
  },

  async send(message, ctx) {
    const space = message.conversationId;
    if (!space?.startsWith("spaces/")) return { ok: false, retryable: false, error: "no Google Chat space to reply to" };
    const chat = client(ctx.config, ctx);
    const body = chatMessageBody(message.text, message.deliveryId.replace(/[^\w-]/g, "-"), message.replyContext?.threadName);
    try {
      return await chatSendResult(await createMessage(chat, space, body, message.deliveryId), chat);
    } catch (err) {
      return chatSendResult(err, chat);
    }
  },

  async fetchAttachment(attachment, ctx, maxBytes) {
    return fetchChatMedia(attachment, client(ctx.config, ctx), maxBytes);
  },

  async setup(ctx) {
    const { config } = ctx;
    const url = config.endpointUrl ?? inboundUrlOf(ctx.publicUrl, ctx.channelId);
    const chat = client(config, ctx);
    try {
      await chatAccessToken(chat);
    } catch (err) {
      return {
        ok: false,
        steps: [
          `The service account ${chat.key.client_email} could not get a token: ${err instanceof Error ? err.message : String(err)}.`,
          "Create a new JSON key for the service account and update the channel.",
        ],
      };
    }
    const audienceStep =
      config.audienceType === "project-number"
        ? `Authentication Audience: Project Number (${config.projectNumber}).`
        : `Authentication Audience: HTTP endpoint URL (the token's audience is ${url}).`;
    // The Chat app's connection settings live in the Cloud console; there is no API for them.
    return {
      ok: true,
      steps: [
        `Service account ${chat.key.client_email} gets tokens for the Chat API.`,
        `Cloud console → Google Chat API → Configuration: Connection settings → HTTP endpoint URL ${url}. ${audienceStep}`,
        "Enable 'Receive 1:1 messages' and 'Join spaces and group conversations'; set Visibility to the people who may use the app.",
        `Direct messages are answered; in spaces @mention the app${config.prefix ? ` or start with ${config.prefix}` : ""}.`,
      ],
    };
  },
};

/** The registry picks up every platform folder by its default export (scripts/gen-channel-registry.mjs). */
export default [googleChatAdapter];
