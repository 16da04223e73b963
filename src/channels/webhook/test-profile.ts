/** The generic signed webhook for the shared channel tests: the Loopgate HMAC scheme (shared/signed-webhook.ts). */
import type { ChannelTestProfile } from "../../../test/support/channel-test-profile";
import { signBody } from "../shared/signed-webhook";

const profile: ChannelTestProfile = {
  type: "webhook",
  samples: [{ messageId: "m-1", sender: { id: "crm-user-7", name: "Ada" }, text: "What is the status of order 42?", conversationId: "order-42" }],
  async prepare() {
    const secret = `webhook-secret-${crypto.randomUUID()}`;
    return {
      config: { secret, callbackUrl: "https://callback.unreachable/replies" },
      sign: async (body, nowMs) => ({ "content-type": "application/json", ...(await signBody(secret, body, nowMs)) }),
    };
  },
};

export default [profile];
