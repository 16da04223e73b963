/**
 * LINE through the whole Worker: the fake signs webhook bodies with the channel secret and
 * posts them to /hooks/:id like LINE; replies reach the fake Messaging API (https://line.fake,
 * routed by a fetch spy since the Worker shares this isolate) by reply token or push.
 */
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createLineFake, type LineFake } from "./fake-messaging-api";
import groupMention from "./fixtures/text-group-mention.json";
import textUser from "./fixtures/text-user.json";
import { LOADING_SECONDS } from "./loading";
import { settleWithControl } from "../../../test/support/after-control";
import { adminToken, call, eventually, routeFetchTo } from "../../../test/worker/helpers";

const API_BASE = "https://line.fake";
let admin: string;
beforeAll(async () => {
  admin = await adminToken();
});

const hex = (n: number) => Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => b.toString(16).padStart(2, "0")).join("");

async function lineChannel(policy = "open") {
  const accessToken = `token-${crypto.randomUUID()}`;
  const channelSecret = hex(16);
  const fake = createLineFake({ accessToken, channelSecret, deliverFetch: (url, init) => SELF.fetch(url, init) });
  routeFetchTo(`${API_BASE}/`, fake.handle);
  const created = await call<{ channel: { id: string; inboundUrl: string } }>(
    "POST",
    "/api/channels",
    { type: "line", name: "line", policy, config: { channelAccessToken: accessToken, channelSecret, apiBase: API_BASE } },
    admin,
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { fake, id: created.body.channel.id, url: created.body.channel.inboundUrl };
}

/** The documented one-to-one text event with a fresh user, event id and reply token. */
function userText(text: string, userId = `U${hex(16)}`) {
  const body = structuredClone(textUser);
  const event = body.events[0]!;
  Object.assign(event, { webhookEventId: `01H${hex(12).toUpperCase()}`, replyToken: hex(16), timestamp: Date.now() });
  event.source.userId = userId;
  event.message.text = text;
  return body;
}

/** Waits until a fresh message from `userId` is answered: what came before it is settled. */
const settled = (fake: LineFake, url: string, userId: string) =>
  settleWithControl(
    (text) => fake.deliver(url, userText(text, userId)),
    fake.state.sent,
    (s) => s.messages[0]?.text,
  );

const messagesOf = async (channelId: string) =>
  (await call<{ messages: unknown[] }>("GET", `/api/messages?channelId=${channelId}`, undefined, admin)).body.messages;

describe("LINE channel, through the whole pipeline", () => {
  it("sets and tests its webhook URL on setup", async () => {
    const { fake, id, url } = await lineChannel();
    const setup = await call<{ ok: boolean; steps: string[] }>("POST", `/api/channels/${id}/setup`, {}, admin);
    expect(setup.body.ok).toBe(true);
    expect(fake.state.webhookEndpoint).toBe(url);
    expect(setup.body.steps.join(" ")).toContain("test delivery reached the gateway");
  });

  it("shows the loading animation and replies with the reply token, in plain text", async () => {
    const { fake, url } = await lineChannel();
    const body = userText("is **this** 1 < 2?");
    expect((await fake.deliver(url, body)).status).toBe(200);
    // Shown from the webhook itself, before its answer (the turn renews it: loading.worker.test.ts).
    expect(fake.state.loading[0]).toEqual({ chatId: body.events[0]!.source.userId, loadingSeconds: LOADING_SECONDS });
    const [sent] = await eventually(async () => fake.state.sent.length > 0 && fake.state.sent);
    expect(sent).toMatchObject({ via: "reply", to: body.events[0]!.replyToken });
    expect(sent!.messages[0]).toMatchObject({ type: "text", text: expect.stringContaining("You said: is this 1 < 2?") });
  });

  it("deduplicates a redelivery by webhookEventId", async () => {
    const { fake, url } = await lineChannel();
    const body = userText("only once");
    expect(await (await fake.deliver(url, body)).json()).toMatchObject({ accepted: 1 });
    const again = structuredClone(body);
    again.events[0]!.deliveryContext.isRedelivery = true;
    expect(await (await fake.deliver(url, again)).json()).toMatchObject({ accepted: 0, duplicates: 1 });
    await eventually(async () => fake.state.sent.length === 1);
    await settled(fake, url, body.events[0]!.source.userId);
    expect(fake.state.sent).toHaveLength(1);
  });

  it("answers a redelivered first delivery by push with a retry key", async () => {
    const { fake, url } = await lineChannel();
    const body = userText("late");
    body.events[0]!.deliveryContext.isRedelivery = true;
    await fake.deliver(url, body);
    const [sent] = await eventually(async () => fake.state.sent.length > 0 && fake.state.sent);
    expect(sent).toMatchObject({ via: "push", to: body.events[0]!.source.userId, retryKey: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it("refuses a forged signature, a malformed body and stores nothing; ignores other events with 200", async () => {
    const { fake, id, url } = await lineChannel();
    const forged = userText("forged");
    const body = JSON.stringify(forged);
    expect((await fake.deliverRaw(url, body)).status).toBe(401);
    expect((await fake.deliverRaw(url, body, "t7Hn4ZDHqs6e+wdvI5TyQIvzie0DmMUmuXEBqyyE/tM=")).status).toBe(401);
    const wrong = createLineFake({ accessToken: "x".repeat(20), channelSecret: "not-this-channel", deliverFetch: (u, init) => SELF.fetch(u, init) });
    expect((await wrong.deliver(url, userText("other secret", forged.events[0]!.source.userId))).status).toBe(401);
    const malformed = await fake.deliver(url, { events: [{ type: "message" }] } as never);
    expect(malformed.status).toBe(400);
    const group = structuredClone(groupMention);
    group.events[0]!.webhookEventId = `01H${hex(12)}`;
    expect(await (await fake.deliver(url, group)).json()).toMatchObject({ ok: true, ignored: ["group message not addressed to the bot"] });
    await settled(fake, url, forged.events[0]!.source.userId);
    expect(await messagesOf(id)).toHaveLength(2); // the control message and its reply only
    expect(fake.state.sent).toEqual([]);
  });

  it("sends the pairing code to an unknown sender as a Flex message", async () => {
    const { fake, url } = await lineChannel("pairing");
    await fake.deliver(url, userText("hello"));
    const [sent] = await eventually(async () => fake.state.sent.length > 0 && fake.state.sent);
    expect(sent!.messages[0]).toMatchObject({ type: "flex", altText: expect.stringContaining("pairing code") });
  });

  it("splits a long reply at 5000 characters: the first part by reply token, the rest by push", async () => {
    const { fake, url } = await lineChannel();
    await fake.deliver(url, userText("many words here. ".repeat(400)));
    await eventually(async () => fake.state.sent.length === 2);
    expect(fake.state.sent.map((s) => s.via)).toEqual(["reply", "push"]);
    expect(fake.state.sent.every((s) => (s.messages[0]?.text ?? "").length <= 5000)).toBe(true);
  });

  it("retries a push after a 429 with the same retry key, and does not send twice", async () => {
    const { fake, url } = await lineChannel();
    fake.failNext("/v2/bot/message/push", { status: 429, message: "Too Many Requests", retryAfterSeconds: 0 });
    const body = userText("busy");
    body.events[0]!.deliveryContext.isRedelivery = true;
    await fake.deliver(url, body);
    await eventually(async () => fake.state.sent.length === 1, 8000);
    const pushes = fake.state.calls.filter((c) => c.path === "/v2/bot/message/push");
    expect(pushes).toHaveLength(2);
    expect(pushes[0]?.retryKey).toBe(pushes[1]?.retryKey);
    expect(fake.state.sent[0]).toMatchObject({ via: "push" });
  });

  it("falls back to push when LINE says the reply token is no longer valid", async () => {
    const { fake, url } = await lineChannel();
    fake.failNext("/v2/bot/message/reply", { status: 400, message: "Invalid reply token" });
    await fake.deliver(url, userText("slow"));
    const [sent] = await eventually(async () => fake.state.sent.length > 0 && fake.state.sent);
    expect(sent).toMatchObject({ via: "push" });
  });
});
