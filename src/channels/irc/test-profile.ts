/** IRC for the shared channel tests: bridged, so no webhook; its server and passwords matter for the redirect rule. */
import { TEST_BRIDGE_ID, type ChannelTestProfile } from "../../../test/support/channel-test-profile";

const profile: ChannelTestProfile = {
  type: "irc",
  samples: [],
  prepare: async () => ({
    config: {
      bridgeId: TEST_BRIDGE_ID,
      host: "irc.unreachable",
      nick: "loopbot",
      saslAccount: "loopbot",
      saslPassword: "sasl-password-for-tests",
      channels: ["#lobby"],
    },
  }),
};

export default [profile];
