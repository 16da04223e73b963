/** Matrix for the shared channel tests: bridged, so no webhook. */
import { TEST_BRIDGE_ID, type ChannelTestProfile } from "../../../test/support/channel-test-profile";

const profile: ChannelTestProfile = {
  type: "matrix",
  samples: [],
  prepare: async () => ({
    config: {
      bridgeId: TEST_BRIDGE_ID,
      homeserverUrl: "https://matrix.example.org",
      userId: "@loopbot:example.org",
      deviceId: "LOOPGATETEST",
      accessToken: "syt_bG9vcGJvdA_testtokenvalue",
    },
  }),
};

export default [profile];
