/**
 * Slack through the bridge in Socket Mode (@slack/bolt): the same DMs and @mentions as the
 * Events API channel (slack.ts), for workspaces that cannot expose a public Request URL.
 * The bridge holds the Socket Mode WebSocket; replies go out with chat.postMessage.
 */
import * as z from "zod";
import { bridgeIdField, createBridgedAdapter } from "../shared/bridged";
import type { ChannelAdapter } from "../shared/types";
import { fetchSlackFile } from "./files";
import { SLACK_MAX_MESSAGE_LENGTH } from "./limits";
import { slackBotToken } from "./bot-token";

export const slackSocketConfigSchema = z.object({
  bridgeId: bridgeIdField,
  botToken: slackBotToken,
  appToken: z
    .string()
    .regex(/^xapp-[\w-]+$/, "appToken must be a Slack app-level token (xapp-...)")
    .meta({ title: "App-level token" })
    .describe(
      "Basic Information → App-Level Tokens → Generate Token and Scopes, with the connections:write scope (xapp-...). It opens the Socket Mode connection; turn Socket Mode on under Socket Mode.",
    ),
  apiBase: z
    .url({ protocol: /^https?$/, error: "apiBase must be an http(s) URL" })
    .optional()
    .meta({ title: "Web API root (advanced)" })
    .describe("Optional: leave empty for https://slack.com/api/ (bolt's slackApiUrl). Set it only for a proxy or a test server."),
});
export type SlackSocketConfig = z.infer<typeof slackSocketConfigSchema>;

const bridged = createBridgedAdapter<SlackSocketConfig>({
  type: "slack-socket",
  description: "Slack app in Socket Mode (via the bridge): DMs and @mentions, replies in threads, no public URL needed",
  configSchema: slackSocketConfigSchema,
  secretFields: ["botToken", "appToken"],
  maxMessageLength: SLACK_MAX_MESSAGE_LENGTH,
  // The bridge paces Slack itself (bridge/src/channels/slack/live-edits.ts); this only spares the socket.
  streams: { minIntervalMs: 500 },
  sendsFiles: true,
  setupSteps: [
    "api.slack.com/apps → your app → Socket Mode: enable it, and create an App-Level Token with connections:write (xapp-...).",
    "Event Subscriptions → subscribe to bot events app_mention and message.im; OAuth & Permissions → bot scopes app_mentions:read, im:history, chat:write (and files:read for files people share, files:write for files the agent sends); reinstall the app.",
    "App Home → Messages Tab: allow users to send messages to the app, so DMs reach it.",
  ],
});

export const slackSocketAdapter: ChannelAdapter<SlackSocketConfig> = {
  ...bridged,
  /** Shared files the bridge referred to (`slack-file:`), downloaded here with the bot token as the Events API channel does. */
  async fetchAttachment(attachment, { config, fetch }, maxBytes) {
    return fetchSlackFile(attachment, { botToken: config.botToken, apiBase: config.apiBase, fetch }, maxBytes);
  },
};
