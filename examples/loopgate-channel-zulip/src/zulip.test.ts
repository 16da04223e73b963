/**
 * The Zulip plugin against Zulip's documented payloads and a fake of its REST API: token
 * check, parsing of channel mentions and direct messages, replies routed back to the same
 * conversation, and Zulip's errors mapped to retry or not.
 */
import { describe, expect, it } from "vitest";
import { createZulipFake } from "./fake-zulip";
import directFixture from "./fixtures/outgoing-direct.json";
import streamFixture from "./fixtures/outgoing-stream-mention.json";
import zulip, { type ZulipConfig } from "./index";

const config: ZulipConfig = { site: "https://chat.example.org", botEmail: "outgoing-bot@localhost", apiKey: "k3yk3yk3y", token: streamFixture.token };

function context(fake: ReturnType<typeof createZulipFake>) {
  const doFetch = ((input: RequestInfo | URL, init?: RequestInit) => fake.handle(new Request(input, init))) as typeof fetch;
  return { channelId: "ch_zulip", config, publicUrl: "https://gw.example", now: 0, fetch: doFetch };
}

const hook = (body: unknown, method = "POST") =>
  new Request("https://gw.example/hooks/ch_zulip", {
    method,
    headers: { "content-type": "application/json" },
    body: method === "POST" ? JSON.stringify(body) : undefined,
  });

describe("Zulip channel plugin", () => {
  const fake = createZulipFake({ botEmail: config.botEmail, apiKey: config.apiKey, token: config.token });
  const ctx = context(fake);

  it("turns a documented channel mention into a message without the mention, answered in the same topic", async () => {
    const result = await zulip.verify!(hook(streamFixture), ctx);
    expect(result.kind).toBe("messages");
    if (result.kind !== "messages") return;
    expect(result.messages).toEqual([
      {
        senderId: "5",
        senderName: "Iago",
        conversationId: "stream:5:Verona2",
        platformMessageId: "112",
        text: "Zulip is the world\u2019s most productive group chat!",
        replyContext: { type: "stream", to: "5", topic: "Verona2" },
      },
    ]);
    expect(await result.ack!().json()).toEqual({ response_not_required: true });
  });

  it("answers a direct message to the people in it, not to the bot", async () => {
    const result = await zulip.verify!(hook(directFixture), ctx);
    expect(result.kind === "messages" && result.messages[0]).toMatchObject({
      text: "What is on my calendar today?",
      replyContext: { type: "direct", to: "[5]" },
    });
  });

  it("refuses a wrong or missing token with 401 and a malformed body with 400", async () => {
    expect(await zulip.verify!(hook({ ...streamFixture, token: "xvOzfurIutdRRVLzpXrIIHXJvNfaJLJ1" }), ctx)).toMatchObject({ kind: "rejected", status: 401 });
    expect(await zulip.verify!(hook({ ...streamFixture, token: undefined }), ctx)).toMatchObject({ kind: "rejected", status: 401 });
    expect(await zulip.verify!(hook({ token: config.token, message: {} }), ctx)).toMatchObject({ kind: "rejected", status: 400 });
    expect(await zulip.verify!(hook(null, "GET"), ctx)).toMatchObject({ kind: "rejected", status: 400 });
  });

  it("ignores the bot's own messages", async () => {
    const own = structuredClone(streamFixture);
    own.message.sender_email = own.bot_email;
    expect((await zulip.verify!(hook(own), ctx)).kind).toBe("response");
  });

  it("sends replies with basic auth as the bot, to the channel topic or the direct conversation", async () => {
    const inChannel = await zulip.send({ recipient: "5", text: "hello", deliveryId: "d1", replyContext: { type: "stream", to: "5", topic: "Verona2" } }, ctx);
    const direct = await zulip.send({ recipient: "5", text: "hi", deliveryId: "d2", replyContext: { type: "direct", to: "[5]" } }, ctx);
    expect(inChannel).toMatchObject({ ok: true });
    expect(direct).toMatchObject({ ok: true });
    expect(fake.state.sent.slice(-2)).toMatchObject([
      { type: "stream", to: "5", topic: "Verona2", content: "hello" },
      { type: "direct", to: "[5]", content: "hi" },
    ]);
  });

  it("retries after Zulip's rate limit and gives up on a refused API key", async () => {
    fake.state.rateLimitNext = 1;
    expect(await zulip.send({ recipient: "5", text: "x", deliveryId: "d3" }, ctx)).toMatchObject({ ok: false, retryable: true, retryAfterMs: 1500 });
    const wrongKey = { ...ctx, config: { ...config, apiKey: "nope" } };
    expect(await zulip.send({ recipient: "5", text: "x", deliveryId: "d4" }, wrongKey)).toMatchObject({ ok: false, retryable: false });
    expect(await zulip.setup!(wrongKey)).toMatchObject({ ok: false });
  });

  it("checks the credentials at setup and says where to point the bot", async () => {
    const setup = await zulip.setup!(ctx);
    expect(setup.ok).toBe(true);
    expect(setup.steps.join("\n")).toContain("https://gw.example/hooks/ch_zulip");
  });

  it("keeps secrets out of the API and accepts only an http(s) site", () => {
    expect(zulip.secretFields).toEqual(["apiKey", "token"]);
    expect(zulip.configSchema.safeParse({ ...config, site: "ftp://x" }).success).toBe(false);
  });
});
