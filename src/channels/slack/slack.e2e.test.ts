/**
 * Slack end to end: `npm start` as a process and a fake Slack on 127.0.0.1 that signs Events
 * API deliveries and serves chat.postMessage (apiBase). The documented payloads go in; replies
 * come back in the mention's thread and in the DM.
 */
import { describe, expect, it } from "vitest";
import { createSlackFake } from "./fake-web-api";
import appMention from "./fixtures/app-mention.json";
import messageIm from "./fixtures/message-im.json";
import urlVerification from "./fixtures/url-verification.json";
import { settleWithControl } from "../../../test/support/after-control";
import { setupAdmin, waitFor } from "../../../test/support/gateway-process";
import { createChannelWithSetup, platformGateway } from "../../../test/support/platform-gateway";

const PORT = 8741;
const BOT_TOKEN = "xoxb-e2e-0000-fake";
const SIGNING_SECRET = "e2e-slack-signing-secret-0123456789";

describe("Slack channel end to end", () => {
  const fake = createSlackFake({ botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET });
  const platform = platformGateway({ port: PORT, fake: () => fake.handle });

  it("verifies its URL, answers a mention in its thread and a DM, once per event", async () => {
    const { api } = await setupAdmin(platform.gw);
    const { inboundUrl: url } = await createChannelWithSetup(api, {
      type: "slack",
      name: "Slack",
      policy: "open",
      config: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiBase: `${platform.fakeUrl}/api` },
    });

    const challenge = await fake.deliver(url, urlVerification);
    expect(await challenge.json()).toEqual({ challenge: urlVerification.challenge });

    const started = Date.now();
    const mention = await fake.deliver(url, appMention);
    const ackMs = Date.now() - started;
    expect(mention.status).toBe(200);
    expect(ackMs).toBeLessThan(3000);
    expect((await fake.deliver(url, appMention, { retryNum: 1 })).status).toBe(200);
    await fake.deliver(url, messageIm);

    await waitFor(async () => fake.state.posted.length >= 2, 20_000, "two replies");
    // A fresh DM from the same person, answered: the retried mention is settled.
    const control = (text: string) => {
      const event = structuredClone(messageIm);
      event.event_id = `Ev${crypto.randomUUID().slice(0, 10)}`;
      Object.assign(event.event, { text, ts: `${Math.floor(Date.now() / 1000)}.000001` });
      return fake.deliver(url, event);
    };
    await settleWithControl(control, fake.state.posted, (p) => p.text);
    expect(fake.state.posted).toHaveLength(2);
    const inThread = fake.state.posted.find((p) => p.channel === "C123ABC456");
    expect(inThread).toMatchObject({ thread_ts: "1515449522.000016", text: expect.stringContaining("You said: is it everything a river should be?") });
    expect(fake.state.posted.find((p) => p.channel === "D024BE91L")?.text).toContain("You said: Hello hello can you hear me?");
  });
});
