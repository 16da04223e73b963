/**
 * Discord end to end: `npm start` as a process and a fake Discord on 127.0.0.1 holding the
 * application's Ed25519 key. Setup registers the commands and the endpoint, which the fake
 * checks over HTTP like Discord (signed PING, then a bad signature); /pair and /ask are
 * deferred and answered by editing the original response.
 */
import { describe, expect, it } from "vitest";
import { createDiscordFake, type DiscordFake } from "./fake-api";
import ask from "./fixtures/ask.json";
import pairDm from "./fixtures/pair-dm.json";
import { setupAdmin, waitFor } from "../../../test/support/gateway-process";
import { createChannelWithSetup, platformGateway } from "../../../test/support/platform-gateway";

const PORT = 8742;
const APP_ID = "123456789012345678";
const BOT_TOKEN = "e2e-discord-bot-token-0123456789";

describe("Discord channel end to end", () => {
  let fake: DiscordFake;
  const platform = platformGateway({ port: PORT, fake: async () => (fake = await createDiscordFake({ applicationId: APP_ID, botToken: BOT_TOKEN })).handle });

  const original = (token: string) => fake.state.messages.find((m) => m.kind === "original" && m.token === token);

  it("passes Discord's endpoint check, pairs with /pair and answers /ask by editing the deferred response", async () => {
    const { api } = await setupAdmin(platform.gw);
    const channel = await createChannelWithSetup(api, {
      type: "discord",
      name: "Discord",
      config: { applicationId: APP_ID, publicKey: fake.publicKey, botToken: BOT_TOKEN, apiBase: `${platform.fakeUrl}/api/v10` },
    });
    const url = channel.inboundUrl;
    expect(fake.state.endpointUrl).toBe(url);

    const invite = await api<{ code: string }>("POST", "/api/pairings", { channelId: channel.id });
    const pair = structuredClone(pairDm);
    pair.data.options[0]!.value = invite.body.code;
    pair.token = "pair-token";
    expect(await fake.deliver(url, pair)).toEqual({ status: 200, body: { type: 5, data: { flags: 64 } } });
    await waitFor(async () => original("pair-token") !== undefined, 20_000, "the /pair answer");
    expect(original("pair-token")?.content).toContain("You are paired");

    const question = structuredClone(ask);
    question.token = "ask-token";
    question.id = "786008729715212999";
    expect(await fake.deliver(url, question)).toEqual({ status: 200, body: { type: 5 } });
    await waitFor(async () => original("ask-token") !== undefined, 20_000, "the /ask answer");
    expect(original("ask-token")?.content).toContain("You said: What does the Gitrog Monster do?");

    expect((await fake.deliver(url, { ...question, id: "786008729715213000" }, { badSignature: true })).status).toBe(401);
  });
});
