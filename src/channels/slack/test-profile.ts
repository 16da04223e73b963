/** Slack (Events API and Socket Mode) for the shared channel tests: v0 HMAC request signing. */
import { TEST_BRIDGE_ID, type ChannelTestProfile } from "../../../test/support/channel-test-profile";
import appMention from "./fixtures/app-mention.json";
import messageIm from "./fixtures/message-im.json";
import urlVerification from "./fixtures/url-verification.json";
import { slackSignature } from "./signature";

const events: ChannelTestProfile = {
  type: "slack",
  samples: [messageIm, appMention, urlVerification],
  async prepare() {
    const signingSecret = `slack-signing-${crypto.randomUUID()}`;
    return {
      config: { botToken: "xoxb-profile-token", signingSecret, apiBase: "https://slack.unreachable/api" },
      async sign(body, nowMs) {
        const timestamp = String(Math.floor(nowMs / 1000));
        return {
          "content-type": "application/json",
          "x-slack-request-timestamp": timestamp,
          "x-slack-signature": await slackSignature(signingSecret, timestamp, body),
        };
      },
    };
  },
};

const socket: ChannelTestProfile = {
  type: "slack-socket",
  samples: [],
  prepare: async () => ({
    config: { bridgeId: TEST_BRIDGE_ID, botToken: "xoxb-profile-token", appToken: "xapp-profile-token", apiBase: "https://slack.unreachable/api" },
  }),
};

export default [events, socket];
