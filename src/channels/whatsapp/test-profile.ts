/** WhatsApp (Cloud API and the bridged Web channel) for the shared channel tests: X-Hub-Signature-256 keyed with the app secret. */
import { hmacSha256Hex, TEST_BRIDGE_ID, type ChannelTestProfile } from "../../../test/support/channel-test-profile";
import imageWithCaption from "./fixtures/image-with-caption.json";
import statusSent from "./fixtures/status-sent.json";
import textMessage from "./fixtures/text-message.json";
import { SIGNATURE_HEADER } from "./webhook";

const cloud: ChannelTestProfile = {
  type: "whatsapp",
  samples: [textMessage, imageWithCaption, statusSent],
  async prepare() {
    const appSecret = `wa-app-secret-${crypto.randomUUID()}`;
    return {
      config: { phoneNumberId: "106540352242922", accessToken: `EAAG-profile-${crypto.randomUUID()}`, appSecret, apiBase: "https://graph.unreachable/v21.0" },
      sign: async (body) => ({ "content-type": "application/json", [SIGNATURE_HEADER]: `sha256=${await hmacSha256Hex(appSecret, body)}` }),
    };
  },
};

const web: ChannelTestProfile = { type: "whatsapp-web", samples: [], prepare: async () => ({ config: { bridgeId: TEST_BRIDGE_ID } }) };

export default [cloud, web];
