/**
 * Telegram end to end: `npm start` as a process, a fake Bot API on 127.0.0.1 that grammY is
 * pointed at (apiBase), webhook registered by setup and updates delivered by the fake like
 * Telegram. A new sender pairs through a deep link (/start CODE) and then talks to the agent.
 */
import { describe, expect, it } from "vitest";
import { createTelegramFake } from "./fake-bot-api";
import textPrivate from "./fixtures/text-private.json";
import { setupAdmin, waitFor } from "../../../test/support/gateway-process";
import { createChannelWithSetup, platformGateway } from "../../../test/support/platform-gateway";

const PORT = 8740;
const TOKEN = "987654321:AAE2eFakeTelegramTokenForLoopgateTests";

describe("Telegram channel end to end", () => {
  const fake = createTelegramFake({ token: TOKEN });
  const platform = platformGateway({ port: PORT, fake: () => fake.handle });

  let nextMessageId = 2000;
  const say = async (text: string) => {
    const update = structuredClone(textPrivate);
    update.update_id = nextMessageId;
    update.message.message_id = nextMessageId++;
    update.message.text = text;
    const res = await fake.deliver(update);
    expect(res.status).toBe(200);
    return update.message.message_id;
  };
  const replyTo = async (messageId: number) => {
    await waitFor(async () => fake.state.sent.some((s) => s.reply_parameters?.message_id === messageId), 20_000, `a reply to ${messageId}`);
    return fake.state.sent.find((s) => s.reply_parameters?.message_id === messageId)!;
  };

  it("registers its webhook, pairs a sender by deep link and answers in HTML", async () => {
    const { api } = await setupAdmin(platform.gw);
    const channel = await createChannelWithSetup(api, { type: "telegram", name: "Telegram", config: { botToken: TOKEN, apiBase: platform.fakeUrl } });
    expect(fake.state.webhook?.url).toBe(channel.inboundUrl);

    // A stranger gets a pairing request, not the agent.
    const first = await replyTo(await say("hi there"));
    expect(first.text).toMatch(/pair/i);

    const invite = await api<{ code: string }>("POST", "/api/pairings", { channelId: channel.id });
    expect(invite.status).toBe(201);
    const paired = await replyTo(await say(`/start ${invite.body.code}`));
    expect(paired.text).toContain("You are paired");

    const answer = await replyTo(await say("is 1 < 2 & 3 > 2?"));
    expect(answer).toMatchObject({ chat_id: "1111111", parse_mode: "HTML" });
    expect(answer.text).toContain("You said: is 1 &lt; 2 &amp; 3 &gt; 2?");

    // A forged update (no secret token) is refused.
    const forged = await fetch(fake.state.webhook!.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(textPrivate) });
    expect(forged.status).toBe(401);
  });
});
