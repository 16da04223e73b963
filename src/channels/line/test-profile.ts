/** LINE for the shared channel tests: `x-line-signature`, the base64 HMAC-SHA256 of the body under the channel secret. */
import type { ChannelTestProfile } from "../../../test/support/channel-test-profile";
import follow from "./fixtures/follow.json";
import imageUser from "./fixtures/image-user.json";
import groupMention from "./fixtures/text-group-mention.json";
import textUser from "./fixtures/text-user.json";
import verifyCall from "./fixtures/verify.json";
import { LINE_SIGNATURE_HEADER, lineSignature } from "./signature";

const profile: ChannelTestProfile = {
  type: "line",
  samples: [textUser, groupMention, imageUser, follow, verifyCall],
  async prepare() {
    const channelSecret = crypto.randomUUID().replaceAll("-", "");
    return {
      config: {
        channelAccessToken: `line-access-token-${crypto.randomUUID()}`,
        channelSecret,
        apiBase: "https://line.unreachable",
        dataApiBase: "https://line-data.unreachable",
      },
      sign: async (body) => ({ "content-type": "application/json", [LINE_SIGNATURE_HEADER]: await lineSignature(channelSecret, body) }),
    };
  },
};

export default [profile];
