/**
 * Google Chat for the shared channel tests: every event carries a bearer JWT that Chat's service
 * account signs (RS256, audience = the project number), from the fake key set the channel is
 * configured with. The token covers the request, not the body, as Chat's does.
 */
import type { ChannelTestProfile } from "../../../test/support/channel-test-profile";
import { type ChatFake, createChatFake } from "./fake-chat-api";
import addedToSpace from "./fixtures/added-to-space.json";
import messageDm from "./fixtures/message-dm.json";
import spaceMention from "./fixtures/message-space-mention.json";
import { CHAT_SERVICE_ACCOUNT } from "./auth";

export const PROJECT_NUMBER = "1234567890";

/** A Google Chat channel's config against `fake` served at `base` (its API, token endpoint and Chat's key set). */
export async function chatConfigFor(fake: ChatFake, base: string) {
  return {
    audienceType: "project-number",
    projectNumber: PROJECT_NUMBER,
    serviceAccountKey: await fake.serviceAccountKey(),
    apiBase: base,
    certsUrl: `${base}/service_accounts/v1/jwk/${CHAT_SERVICE_ACCOUNT}`,
  };
}

const profile: ChannelTestProfile = {
  type: "google-chat",
  samples: [messageDm, spaceMention, addedToSpace],
  async prepare() {
    const base = `https://chat-${crypto.randomUUID().slice(0, 8)}.unreachable`;
    const fake = await createChatFake({ baseUrl: base });
    return {
      config: await chatConfigFor(fake, base),
      fakes: { [`${base}/`]: fake.handle },
      async sign() {
        const token = await fake.signEventToken({ projectNumber: PROJECT_NUMBER });
        return { "content-type": "application/json", authorization: `Bearer ${token}` };
      },
    };
  },
};

export default [profile];
