/**
 * Mattermost for the shared channel tests: its integrations sign nothing; each request carries
 * the integration's token in the body, so the channel is configured with the documented
 * fixtures' tokens and the samples carry them. Slash commands go on the wire form-encoded, as
 * Mattermost sends them (every value a string); outgoing webhooks as JSON.
 */
import { TEST_BRIDGE_ID } from "../../../test/support/channel-test-profile";
import type { ChannelTestProfile } from "../../../test/support/channel-test-profile";
import outgoingWebhook from "./fixtures/outgoing-webhook.json";

/** The fields of fixtures/slash-command.txt, the documented slash command request (a form body). */
const slashCommand = {
  channel_id: "fukjyfm6d3rs5xjp8pxqbxe8ja",
  channel_name: "town-square",
  command: "/ask",
  response_url: "http://localhost:8065/hooks/commands/zp6uqzfrxjyf7jfnnimb8f6sbw",
  team_domain: "team-name",
  team_id: "xbs4x3zmctbnzpsaqmtnpzizbe",
  text: "what is the weather?",
  token: "xr3j5x3p4pfk7fgmq6c3ijbqyh",
  trigger_id:
    "OWJ5ZnRwdXp1Nzd1eDgzMzdzNnF3NHd0OGM6MWp1Ym9xM2J6amJyN2JkYnp5MTl1NDM0bmE6MTU3NzQ1MzQ5MTgxNzpNRVFDSUJjM2dCVXhPcUVpeDg3N2FkNDB4RFpLUXVHaS9hZldLZEZFZkZOR1hOQUdBaUFaUVIvVFNCejZMQU5hMmh5QzlDcGVydWpPMDVYNXNxQU5ONGs1MWo1eXVRPT0=",
  user_id: "7sd8yfhm8jgzdypxu37qxhtnjy",
  user_name: "alice",
};

const isJsonObject = (body: string) => {
  try {
    const value: unknown = JSON.parse(body);
    return !!value && typeof value === "object" && !Array.isArray(value);
  } catch {
    return false;
  }
};

const profile: ChannelTestProfile = {
  type: "mattermost",
  samples: [slashCommand, outgoingWebhook],
  async prepare() {
    return {
      config: {
        serverUrl: "https://mattermost.unreachable",
        botToken: `mm-bot-token-${crypto.randomUUID()}`,
        slashCommandToken: slashCommand.token,
        outgoingWebhookToken: outgoingWebhook.token,
      },
      async seal(body) {
        if (!isJsonObject(body)) return body;
        const fields = JSON.parse(body) as Record<string, unknown>;
        if (!("command" in fields)) return body;
        const form = new URLSearchParams();
        for (const [key, value] of Object.entries(fields)) form.append(key, typeof value === "string" ? value : (JSON.stringify(value) ?? ""));
        return form.toString();
      },
      sign: async (body) => ({ "content-type": isJsonObject(body) ? "application/json" : "application/x-www-form-urlencoded" }),
    };
  },
};

/** The WebSocket variant is bridged: a config for the redirect rule, no webhook. */
const websocket: ChannelTestProfile = {
  type: "mattermost-ws",
  samples: [],
  prepare: async () => ({ config: { bridgeId: TEST_BRIDGE_ID, serverUrl: "https://mattermost.unreachable", botToken: "mm-bot-token-profile" } }),
};

export default [profile, websocket];
