/**
 * Teams end to end: `npm start` as a process and a fake Bot Framework on 127.0.0.1 serving the
 * OpenID metadata, key set, token endpoint and Connector. Documented activities, signed with the
 * fake's key, go to the messaging endpoint; replies come back to the Connector.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createTeamsFake, type TeamsFake } from "./fake-bot-framework";
import channelMention from "./fixtures/message-channel-mention.json";
import personal from "./fixtures/message-personal.json";
import { settleWithControl } from "../../../test/support/after-control";
import { setupAdmin, waitFor } from "../../../test/support/gateway-process";
import { createChannelWithSetup, platformGateway } from "../../../test/support/platform-gateway";
import { APP_ID, teamsConfigFor } from "./test-profile";

const PORT = 9150;
const APP_PASSWORD = "e2e-teams-client-secret-value";

describe("Teams channel end to end", () => {
  let fake: TeamsFake;
  const platform = platformGateway({
    port: PORT,
    fake: async () => {
      fake = await createTeamsFake({ appId: APP_ID, appPassword: APP_PASSWORD });
      return fake.handle;
    },
  });
  beforeAll(() => fake.setBaseUrl(platform.fakeUrl));

  it("verifies the Bot Framework token, answers a personal chat and a channel mention once each", async () => {
    const { api } = await setupAdmin(platform.gw);
    const { inboundUrl: url, steps } = await createChannelWithSetup(api, {
      type: "teams",
      name: "Teams",
      policy: "open",
      config: teamsConfigFor(platform.fakeUrl, APP_PASSWORD),
    });
    expect(steps.join(" ")).toContain(url);

    expect((await fake.deliver(url, personal)).status).toBe(200);
    expect((await fake.deliver(url, personal)).status).toBe(200);
    expect((await fake.deliver(url, channelMention)).status).toBe(200);
    expect((await fake.deliver(url, personal, { token: null })).status).toBe(401);

    await waitFor(async () => fake.state.posted.length >= 2, 20_000, "two replies");
    // A fresh message from the same person, answered: the redelivery and the refused one are settled.
    const control = (text: string) => fake.deliver(url, { ...structuredClone(personal), id: `control-${crypto.randomUUID()}`, text });
    await settleWithControl(control, fake.state.posted, (p) => p.activity.text);
    expect(fake.state.posted).toHaveLength(2);
    expect(fake.state.posted.find((p) => p.replyToId === personal.id)?.activity.text).toContain("You said: Hello Teams bot");
    expect(fake.state.posted.find((p) => p.replyToId === channelMention.id)?.activity.text).toContain("You said: what is the status of the build?");
    expect(fake.state.typing.length).toBeGreaterThanOrEqual(2);
  });
});
