/**
 * Teams for the shared channel tests: every activity carries a Bot Framework RS256 JWT (issuer,
 * audience = the app id, a `serviceurl` claim for the activity's serviceUrl), signed by the fake
 * Bot Framework whose OpenID metadata and key set the channel is configured with.
 */
import type { ChannelTestProfile } from "../../../test/support/channel-test-profile";
import { createTeamsFake } from "./fake-bot-framework";
import conversationUpdate from "./fixtures/conversation-update.json";
import channelMention from "./fixtures/message-channel-mention.json";
import personal from "./fixtures/message-personal.json";

/** The documented activities' recipient: the bot `28:<app id>`. */
export const APP_ID = "c9e8c047-2a74-40a2-b28a-b162d5f5327c";

/** A Teams channel's config against the fake Bot Framework at `fakeUrl` (OpenID metadata and token endpoint). */
export function teamsConfigFor(fakeUrl: string, appPassword: string) {
  return { appId: APP_ID, appPassword, openIdMetadataUrl: `${fakeUrl}/v1/.well-known/openidconfiguration`, loginBase: fakeUrl };
}

/** The serviceUrl a body names, which Bot Framework's token vouches for; the fake's own otherwise. */
function serviceUrlOf(body: string, fallback: string): string {
  try {
    const value = (JSON.parse(body) as { serviceUrl?: unknown } | null)?.serviceUrl;
    return typeof value === "string" ? value : fallback;
  } catch {
    return fallback;
  }
}

const profile: ChannelTestProfile = {
  type: "teams",
  samples: [personal, channelMention, conversationUpdate],
  async prepare() {
    const base = `https://botframework-${crypto.randomUUID().slice(0, 8)}.unreachable`;
    const appPassword = `app-password-${crypto.randomUUID()}`;
    const fake = await createTeamsFake({ appId: APP_ID, appPassword, baseUrl: base });
    return {
      config: teamsConfigFor(base, appPassword),
      fakes: { [`${base}/`]: fake.handle },
      async sign(body) {
        const token = await fake.signToken({ serviceUrl: serviceUrlOf(body, base) });
        return { "content-type": "application/json", authorization: `Bearer ${token}` };
      },
    };
  },
};

export default [profile];
