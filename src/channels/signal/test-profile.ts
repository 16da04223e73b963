/** Signal for the shared channel tests: bridged, so no webhook. */
import { TEST_BRIDGE_ID, type ChannelTestProfile } from "../../../test/support/channel-test-profile";

const profile: ChannelTestProfile = { type: "signal", samples: [], prepare: async () => ({ config: { bridgeId: TEST_BRIDGE_ID, account: "+15551234567" } }) };

export default [profile];
