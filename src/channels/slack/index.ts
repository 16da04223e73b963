/**
 * Slack through the Events API: signed requests (slack-signature.ts), the url_verification
 * handshake, DMs and @mentions (slack-events.ts); replies in the thread with chat.postMessage
 * in mrkdwn. Retried deliveries (X-Slack-Retry-Num) repeat the event_id, which dedupes them.
 */
import { slackSocketAdapter } from "./socket-mode";
import * as z from "zod";
import { parseJson, readBody } from "../shared/read-body";
import { networkSafe } from "../shared/send-result";
import { sendSlackFile } from "./send-file";
import { slackCall, slackSendResult } from "./api";
import { normalizeSlackPayload } from "./events";
import { fetchSlackFile } from "./files";
import { toSlackMrkdwn } from "./format";
import { verifySlackSignature } from "./signature";
import type { ChannelAdapter } from "../shared/types";
import { SLACK_MAX_MESSAGE_LENGTH } from "./limits";
import { slackBotToken } from "./bot-token";
import { slackStreaming } from "./stream";
import { answerSlackPress, approvalBlocks, parseInteraction } from "./approval";

export { SLACK_MAX_MESSAGE_LENGTH };

const configSchema = z.object({
  botToken: slackBotToken,
  signingSecret: z
    .string()
    .min(16, "signingSecret must be at least 16 characters")
    .meta({ title: "Signing secret" })
    .describe("Basic Information → App Credentials → Signing Secret. Every request Slack sends is checked against it."),
  apiBase: z
    .url({ protocol: /^https?$/, error: "apiBase must be an http(s) URL" })
    .optional()
    .meta({ title: "Web API root (advanced)" })
    .describe("Optional: leave empty for https://slack.com/api (the SDKs' slackApiUrl). Set it only for a proxy or a test server."),
});
export type SlackConfig = z.infer<typeof configSchema>;

export const slackAdapter: ChannelAdapter<SlackConfig> = {
  type: "slack",
  description: "Slack app through the Events API (DMs and @mentions, replies in threads)",
  configSchema,
  secretFields: ["botToken", "signingSecret"],
  endpointFields: ["apiBase"],
  maxMessageLength: SLACK_MAX_MESSAGE_LENGTH,
  // Slack sends events only once the app's Request URL is set by hand (no API for it): waiting for the first one.
  awaitsFirstEvent: true,
  approvalButtons: true,

  async verify(request, { config, now, fetch }) {
    if (request.method !== "POST") return { kind: "rejected", status: 400, error: "Slack events are POST requests" };
    const body = await readBody(request);
    if (!body.ok) return { kind: "rejected", status: 413, error: body.error };
    const signature = await verifySlackSignature(config.signingSecret, request.headers, body.raw, now);
    if (!signature.ok) return { kind: "rejected", status: 401, error: signature.error };
    // Interactivity (button clicks) comes to the same Request URL, form-encoded, signed the same way.
    if ((request.headers.get("content-type") ?? "").startsWith("application/x-www-form-urlencoded")) {
      const interaction = parseInteraction(body.raw);
      if (interaction.kind === "invalid") return { kind: "rejected", status: 400, error: interaction.error };
      if (interaction.kind === "ignored") return { kind: "response", response: new Response(null, { status: 200 }) };
      const { press, payload } = interaction;
      const client = { botToken: config.botToken, apiBase: config.apiBase, fetch };
      return {
        kind: "approval",
        press,
        respond: async (outcome) => {
          await answerSlackPress(client, payload, press, outcome);
          // Slack wants an empty 200 within 3 seconds; the prompt was updated through the Web API.
          return new Response(null, { status: 200 });
        },
      };
    }
    const json = parseJson(body.raw);
    if (!json.ok) return { kind: "rejected", status: 400, error: json.error };
    const payload = normalizeSlackPayload(json.value);
    switch (payload.kind) {
      case "invalid":
        return { kind: "rejected", status: 400, error: payload.error };
      case "challenge":
        return { kind: "response", response: Response.json({ challenge: payload.challenge }) };
      case "ignored":
        return { kind: "response", response: Response.json({ ok: true, ignored: payload.reason }) };
      case "message":
        return { kind: "messages", messages: [payload.message] };
    }
  },

  /** Shared files, downloaded with the bot token from Slack's file host (files.ts). */
  async fetchAttachment(attachment, { config, fetch }, maxBytes) {
    return fetchSlackFile(attachment, { botToken: config.botToken, apiBase: config.apiBase, fetch }, maxBytes);
  },

  async send(message, { config, fetch, now }) {
    const threadTs = message.replyContext?.threadTs;
    const body = {
      channel: message.conversationId ?? message.recipient,
      text: toSlackMrkdwn(message.text),
      mrkdwn: true,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      ...(message.approval ? { blocks: approvalBlocks(toSlackMrkdwn(message.text), message.approval.id) } : {}),
    };
    return networkSafe(async () =>
      slackSendResult(await slackCall({ botToken: config.botToken, apiBase: config.apiBase, fetch }, "chat.postMessage", body), now),
    );
  },

  /** Slack's external upload, shared in the conversation and thread being answered (send-file.ts). */
  async sendFile(message, { config, fetch, now }) {
    return networkSafe(() => sendSlackFile({ botToken: config.botToken, apiBase: config.apiBase, fetch }, message, now));
  },

  streaming: slackStreaming(),

  async setup({ channelId, config, publicUrl, fetch }) {
    const url = `${publicUrl.replace(/\/$/, "")}/hooks/${channelId}`;
    const res = await slackCall({ botToken: config.botToken, apiBase: config.apiBase, fetch }, "auth.test", {}).catch((err: unknown) => err);
    const auth =
      res instanceof Response
        ? ((await res.json().catch(() => ({}))) as { ok?: boolean; error?: string; team?: string; user?: string })
        : { ok: false, error: String(res) };
    if (!auth.ok)
      return {
        ok: false,
        steps: [`Slack rejected the bot token (auth.test: ${auth.error ?? "no answer"}). Copy the Bot User OAuth Token (xoxb-...) from OAuth & Permissions.`],
      };
    // Slack has no API that sets an app's Request URL with a bot token: these steps are manual.
    return {
      ok: true,
      steps: [
        `Bot token works: @${auth.user} in workspace ${auth.team}.`,
        `api.slack.com/apps → your app → Event Subscriptions: enable, Request URL ${url} (Slack sends a url_verification challenge; the gateway answers it).`,
        "Subscribe to bot events: app_mention and message.im. OAuth & Permissions → bot scopes: app_mentions:read, im:history, chat:write, and files:write for files the agent sends. Reinstall the app.",
        "App Home → Messages Tab: allow users to send messages to the app, so DMs reach it.",
        `For tool approvals (agent.approvals): Interactivity & Shortcuts → on, Request URL ${url} (the same URL), so Approve/Deny clicks reach the gateway.`,
      ],
    };
  },
};

/** The registry picks up every platform folder by its default export (scripts/gen-channel-registry.mjs). */
export default [slackAdapter, slackSocketAdapter];
