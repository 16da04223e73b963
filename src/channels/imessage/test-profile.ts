/** iMessage (BlueBubbles on a Mac) for the shared channel tests: bridged, so no webhook. */
import { TEST_BRIDGE_ID, type ChannelTestProfile } from "../../../test/support/channel-test-profile";

const profile: ChannelTestProfile = {
  type: "imessage",
  samples: [],
  prepare: async () => ({ config: { bridgeId: TEST_BRIDGE_ID, serverUrl: "https://bluebubbles.unreachable", password: "bluebubbles-profile-password" } }),
};

export default [profile];
