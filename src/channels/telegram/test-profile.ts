/** Telegram for the shared channel tests: the secret token travels in a header on every update. */
import type { ChannelTestProfile } from "../../../test/support/channel-test-profile";
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

export default [profile];
