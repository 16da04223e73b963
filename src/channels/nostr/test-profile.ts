/** Nostr for the shared channel tests: bridged, so no webhook. */
import { TEST_BRIDGE_ID, type ChannelTestProfile } from "../../../test/support/channel-test-profile";

const profile: ChannelTestProfile = {
  type: "nostr",
  samples: [],
  prepare: async () => ({
    config: { bridgeId: TEST_BRIDGE_ID, secretKey: "7f7ff03d123792d6ac594bfa67bf6d0c0ab55b6b1fdb6249303fe861f1ccba9a", relays: ["wss://relay.unreachable"] },
  }),
};

export default [profile];
