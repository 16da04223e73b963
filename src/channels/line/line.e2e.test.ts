/**
 * LINE end to end: `npm start` as a process and a fake Messaging API on 127.0.0.1 that signs
 * webhooks, issues reply tokens and serves reply/push (apiBase). Setup sets and tests the
 * webhook URL; a stranger gets the pairing code as a Flex message, pairs with an invite code
 * and then talks to the agent; a redelivery is answered once.
 */
import { describe, expect, it } from "vitest";
import { createLineFake } from "./fake-messaging-api";
import textUser from "./fixtures/text-user.json";
import { settleWithControl } from "../../../test/support/after-control";
import { setupAdmin, waitFor } from "../../../test/support/gateway-process";
import { createChannelWithSetup, platformGateway } from "../../../test/support/platform-gateway";

const PORT = 9100;
const ACCESS_TOKEN = "e2e-line-channel-access-token-0000";
const CHANNEL_SECRET = "0123456789abcdef0123456789abcdef";

describe("LINE channel end to end", () => {
  const fake = createLineFake({ accessToken: ACCESS_TOKEN, channelSecret: CHANNEL_SECRET });
  const platform = platformGateway({ port: PORT, fake: () => fake.handle });

  let n = 0;
  const say = async (url: string, text: string) => {
    const body = structuredClone(textUser);
    const event = body.events[0]!;
    Object.assign(event, { webhookEventId: `01HE2E${String(n).padStart(6, "0")}`, replyToken: `e2e-reply-${n++}`, timestamp: Date.now() });
    event.message.text = text;
    const res = await fake.deliver(url, body);
    expect(res.status).toBe(200);
    return body;
  };
  const nth = async (count: number) => {
    await waitFor(async () => fake.state.sent.length >= count, 20_000, `${count} LINE messages`);
    return fake.state.sent[count - 1]!;
  };

  it("sets its webhook, pairs a sender through a Flex notice and answers by reply token", async () => {
    const { api } = await setupAdmin(platform.gw);
    const channel = await createChannelWithSetup(api, {
      type: "line",
      name: "LINE",
      config: { channelAccessToken: ACCESS_TOKEN, channelSecret: CHANNEL_SECRET, apiBase: platform.fakeUrl },
    });
    expect(fake.state.webhookEndpoint).toBe(channel.inboundUrl);

    const hello = await say(channel.inboundUrl, "hi there");
    const pairing = await nth(1);
    expect(pairing).toMatchObject({ via: "reply", to: hello.events[0]!.replyToken });
    expect(pairing.messages[0]).toMatchObject({ type: "flex", altText: expect.stringContaining("pairing code") });

    const invite = await api<{ code: string }>("POST", "/api/pairings", { channelId: channel.id });
    await say(channel.inboundUrl, `/pair ${invite.body.code}`);
    expect((await nth(2)).messages[0]?.text).toContain("You are paired");

    const question = await say(channel.inboundUrl, "is **1** < 2?");
    const redelivered = structuredClone(question);
    redelivered.events[0]!.deliveryContext.isRedelivery = true;
    expect(await (await fake.deliver(channel.inboundUrl, redelivered)).json()).toMatchObject({ duplicates: 1 });
    const answer = await nth(3);
    expect(answer).toMatchObject({ via: "reply", to: question.events[0]!.replyToken });
    expect(answer.messages[0]?.text).toContain("You said: is 1 < 2?");
    expect(fake.state.loading.length).toBeGreaterThanOrEqual(3);
    // A fresh message from the same person, answered: the redelivery is settled.
    await settleWithControl(
      (text) => say(channel.inboundUrl, text),
      fake.state.sent,
      (s) => s.messages[0]?.text,
    );
    expect(fake.state.sent).toHaveLength(3);

    // A body signed with another secret is refused.
    const forged = await fake.deliverRaw(channel.inboundUrl, JSON.stringify(question), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    expect(forged.status).toBe(401);
  });
});
