/**
 * Telegram for the shared channel tests: the secret token travels in a header on every update.
 * The long-polling variant is bridged (no webhook); its bot token and API root matter for the redirect rule.
 */
import { TEST_BRIDGE_ID, type ChannelTestProfile } from "../../../test/support/channel-test-profile";
import textPrivate from "./fixtures/text-private.json";
import photoCaption from "./fixtures/photo-caption.json";
import groupMention from "./fixtures/group-mention.json";
import { TELEGRAM_SECRET_HEADER } from ".";

const profile: ChannelTestProfile = {
  type: "telegram",
  samples: [textPrivate, photoCaption, groupMention],
  async prepare() {
    const secretToken = `tg-secret-${crypto.randomUUID()}`;
    return {
      config: {
        botToken: "123456789:AAprofileTokenForTests_abcdefghijk",
        secretToken,
        botUsername: "loopgate_test_bot",
        apiBase: "https://telegram.unreachable",
      },
      sign: async () => ({ "content-type": "application/json", [TELEGRAM_SECRET_HEADER]: secretToken }),
    };
  },
};

const polling: ChannelTestProfile = {
  type: "telegram-polling",
  samples: [],
  prepare: async () => ({
    config: {
      bridgeId: TEST_BRIDGE_ID,
      botToken: "123456789:AAprofileTokenForTests_abcdefghijk",
      botUsername: "loopgate_test_bot",
      apiBase: "https://telegram.unreachable",
    },
  }),
};

export default [profile, polling];
