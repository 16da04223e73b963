/** E-mail for the shared channel tests: mail arrives through Email Routing, so /hooks only ever refuses; nothing can be signed. */
import type { ChannelTestProfile } from "../../../test/support/channel-test-profile";

const profile: ChannelTestProfile = {
  type: "email",
  samples: [],
  prepare: async () => ({ config: { address: `agent-${crypto.randomUUID().slice(0, 8)}@example.net` } }),
};

export default [profile];
