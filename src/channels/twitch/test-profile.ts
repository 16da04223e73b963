/**
 * Twitch for the shared channel tests: EventSub's `sha256=` HMAC of message id + timestamp + body
 * under the subscription secret, with the message type Twitch would send for the body (a
 * challenge, a revocation or a notification). The bot is the whisper fixture's receiver, and
 * chat messages starting with "hi" address it, so both documented messages reach the agent.
 */
import type { ChannelTestProfile } from "../../../test/support/channel-test-profile";
import callbackVerification from "./fixtures/callback-verification.json";
import chatMessage from "./fixtures/chat-message.json";
import revocation from "./fixtures/revocation.json";
import whisperMessage from "./fixtures/whisper-message.json";
import { TWITCH_MESSAGE_ID, TWITCH_MESSAGE_SIGNATURE, TWITCH_MESSAGE_TIMESTAMP, TWITCH_MESSAGE_TYPE, twitchSignature } from "./signature";

/** The EventSub message type of a body, as Twitch labels what it sends. */
function messageTypeOf(body: string): string {
  const value = parsed(body) as { challenge?: unknown; subscription?: { status?: unknown } } | null;
  if (!value || typeof value !== "object") return "notification";
  if ("challenge" in value) return "webhook_callback_verification";
  return value.subscription?.status === "authorization_revoked" ? "revocation" : "notification";
}

function parsed(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
}

const profile: ChannelTestProfile = {
  type: "twitch",
  samples: [chatMessage, whisperMessage, callbackVerification, revocation],
  async prepare() {
    const eventSubSecret = `eventsub-${crypto.randomUUID()}`;
    return {
      config: {
        clientId: "profileclientid00000000",
        clientSecret: `client-secret-${crypto.randomUUID()}`,
        botUserId: whisperMessage.event.to_user_id,
        broadcasterUserId: chatMessage.event.broadcaster_user_id,
        eventSubSecret,
        commandPrefix: "hi",
        apiBase: "https://helix.unreachable/helix",
        authBase: "https://id-twitch.unreachable",
      },
      async sign(body, nowMs) {
        const messageId = crypto.randomUUID();
        const timestamp = new Date(nowMs).toISOString();
        return {
          "content-type": "application/json",
          [TWITCH_MESSAGE_ID]: messageId,
          [TWITCH_MESSAGE_TIMESTAMP]: timestamp,
          [TWITCH_MESSAGE_TYPE]: messageTypeOf(body),
          [TWITCH_MESSAGE_SIGNATURE]: await twitchSignature(eventSubSecret, messageId, timestamp, body),
        };
      },
    };
  },
};

export default [profile];
