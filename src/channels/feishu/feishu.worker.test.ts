/**
 * Feishu/Lark through the whole Worker: the fake pushes documented events, encrypted and signed
 * with the Encrypt Key, to /hooks/:id; replies reach the fake Open API's message reply with a
 * tenant token (each channel has its own fake host, routed by a fetch spy).
 */
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { createLarkFake } from "./fake-open-api";
import group from "./fixtures/message-receive-group-mention.json";
import p2p from "./fixtures/message-receive-p2p.json";
import urlVerification from "./fixtures/url-verification.json";
import { adminToken, call, eventually, routeFetchTo } from "../../../test/worker/helpers";

const APP_ID = p2p.header.app_id;
const TOKEN = p2p.header.token;
let admin: string;
beforeAll(async () => {
  admin = await adminToken();
});

async function larkChannel(opts: { encryptKey?: string | null; policy?: string } = {}) {
  const base = `https://lark-${crypto.randomUUID().slice(0, 8)}.fake`;
  const encryptKey = opts.encryptKey === null ? undefined : (opts.encryptKey ?? `ek-${crypto.randomUUID()}`);
  const appSecret = `secret-${crypto.randomUUID()}`;
  const fake = createLarkFake({ appId: APP_ID, appSecret, verificationToken: TOKEN, encryptKey, deliverFetch: (url, init) => SELF.fetch(url, init) });
  routeFetchTo(`${base}/`, fake.handle);
  const config = { appId: APP_ID, appSecret, verificationToken: TOKEN, encryptKey, apiBase: base, domain: "lark" };
  const created = await call<{ channel: { id: string; inboundUrl: string } }>(
    "POST",
    "/api/channels",
    { type: "feishu", name: "feishu", policy: opts.policy ?? "open", config },
    admin,
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { fake, config, id: created.body.channel.id, url: created.body.channel.inboundUrl };
}

function dm(text: string, sender = `ou_${crypto.randomUUID().replaceAll("-", "")}`) {
  const event = structuredClone(p2p);
  event.header.event_id = crypto.randomUUID().replaceAll("-", "");
  event.event.sender.sender_id.open_id = sender;
  event.event.message.message_id = `om_${crypto.randomUUID().replaceAll("-", "")}`;
  event.event.message.content = JSON.stringify({ text });
  return event;
}

const inboundOf = async (channelId: string) =>
  (await call<{ messages: { direction: string }[] }>("GET", `/api/messages?channelId=${channelId}`, undefined, admin)).body.messages.filter(
    (m) => m.direction === "in",
  );

describe("Feishu channel, through the whole pipeline", () => {
  it("answers the url_verification challenge, encrypted and plain, and checks the app on setup", async () => {
    const { fake, id, url } = await larkChannel();
    const challenge = { ...urlVerification, token: TOKEN };
    expect(await (await fake.deliver(url, challenge, { unsigned: true })).json()).toEqual({ challenge: urlVerification.challenge });
    expect((await fake.deliver(url, { ...challenge, token: "wrong-token" }, { unsigned: true })).status).toBe(401);
    const setup = await call<{ ok: boolean; steps: string[] }>("POST", `/api/channels/${id}/setup`, {}, admin);
    expect(setup.body.ok).toBe(true);
    expect(setup.body.steps.join(" ")).toContain(url);
    expect(setup.body.steps.join(" ")).toContain(fake.botOpenId);
    // A channel without an Encrypt Key gets the challenge in plain JSON.
    const plain = await larkChannel({ encryptKey: null });
    expect(await (await plain.fake.deliver(plain.url, challenge)).json()).toEqual({ challenge: urlVerification.challenge });
  });

  it("replies to an encrypted private message and reuses the tenant token", async () => {
    const { fake, url } = await larkChannel();
    const event = dm("is **this** bold?");
    expect((await fake.deliver(url, event)).status).toBe(200);
    await fake.deliver(url, dm("again"));
    await eventually(async () => fake.state.replies.length === 2);
    const reply = fake.state.replies.find((r) => r.messageId === event.event.message.message_id)!;
    expect(reply.msgType).toBe("post");
    expect(JSON.stringify(reply.content)).toContain("You said: is **this** bold?");
    expect(fake.state.tokenRequests).toBe(1);
  });

  it("answers a group @mention (bot open_id from bot/v3/info) and ignores group chatter and other events", async () => {
    const { fake, id, url } = await larkChannel();
    expect((await fake.deliver(url, group)).status).toBe(200);
    const [reply] = await eventually(async () => fake.state.replies.length > 0 && fake.state.replies);
    expect(reply!.messageId).toBe(group.event.message.message_id);
    expect(JSON.stringify(reply!.content)).toContain("You said: summarise the thread");
    const chatter = structuredClone(group);
    chatter.header.event_id = "chatter-1";
    chatter.event.message.mentions = [];
    expect((await fake.deliver(url, chatter)).status).toBe(200);
    const read = { ...structuredClone(p2p), header: { ...p2p.header, event_id: "read-1", event_type: "im.message.message_read_v1" } };
    expect(await (await fake.deliver(url, read)).json()).toMatchObject({ ok: true, ignored: expect.any(String) });
    expect(await inboundOf(id)).toHaveLength(1);
  });

  it("refuses an unsigned event, a wrong signature, a stale timestamp, a wrong token, a malformed body; stores nothing", async () => {
    const { fake, id, url } = await larkChannel();
    expect((await fake.deliver(url, dm("unsigned"), { unsigned: true })).status).toBe(401);
    expect((await fake.deliver(url, dm("forged"), { signWith: "not-the-encrypt-key" })).status).toBe(401);
    expect((await fake.deliver(url, dm("stale"), { timestamp: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
    const wrongToken = dm("token");
    wrongToken.header.token = "someone-elses-token";
    expect((await fake.deliver(url, wrongToken)).status).toBe(401);
    expect((await fake.deliver(url, {}, { raw: "{nope" })).status).toBe(400);
    expect((await fake.deliver(url, { schema: "2.0", header: { event_id: "x", event_type: "im.message.receive_v1", token: TOKEN }, event: {} })).status).toBe(
      400,
    );
    expect(await inboundOf(id)).toEqual([]);
  });

  it("answers a signed event whose content is malformed or whose mention names repeat their placeholder with a 4xx or 200, never an error", async () => {
    const { id, url, fake } = await larkChannel({ policy: "disabled" });
    const errors = vi.spyOn(console, "error");
    // A post whose line holds null where an element should be.
    const post = dm("");
    post.event.message.message_type = "post";
    post.event.message.content = JSON.stringify({ title: "t", content: [[null, { tag: "text", text: "hi" }]] });
    const posted = await fake.deliver(url, post);
    expect(posted.status).toBeLessThan(500);
    // Each mention's name holds its own placeholder twice: replaced one mention after the other, the text doubled per mention.
    const echo = dm("@_user_1");
    Object.assign(echo.event.message, {
      mentions: Array.from({ length: 40 }, () => ({ key: "@_user_1", id: { union_id: "", user_id: "", open_id: "ou_someone" }, name: "@_user_1 @_user_1" })),
    });
    const echoed = await fake.deliver(url, echo);
    expect(echoed.status).toBeLessThan(500);
    expect(await echoed.json()).toMatchObject({ ok: true, accepted: 1 });
    expect(errors.mock.calls.map((c) => String(c[0])).filter((m) => m.includes("adapter threw"))).toEqual([]);
    errors.mockRestore();
    const stored = await eventually(async () => {
      const list = await call<{ messages: { direction: string; text: string }[] }>("GET", `/api/messages?channelId=${id}`, undefined, admin);
      return list.body.messages.length >= 2 && list.body.messages;
    });
    expect(stored.map((m) => m.text).sort()).toEqual(["@@_user_1 @_user_1", "t\nhi"].sort());
  });

  it("deduplicates a redelivered event_id, splits long replies, sends tables as cards", async () => {
    const { fake, url } = await larkChannel();
    const event = dm("once");
    expect(await (await fake.deliver(url, event)).json()).toMatchObject({ accepted: 1 });
    expect(await (await fake.deliver(url, event)).json()).toMatchObject({ accepted: 0, duplicates: 1 });
    await eventually(async () => fake.state.replies.length === 1);
    await fake.deliver(url, dm("some words. ".repeat(900)));
    await eventually(async () => fake.state.replies.length === 3);
    await fake.deliver(url, dm("\n| a | b |\n|---|---|\n| 1 | 2 |"));
    const card = await eventually(async () => fake.state.replies.find((r) => r.msgType === "interactive"));
    expect(JSON.stringify(card.content)).toContain('"tag":"table"');
  });

  it("sends the pairing code to the sender after a frequency-limit retry", async () => {
    const { fake, id, url } = await larkChannel({ policy: "pairing" });
    fake.failNext(429);
    await fake.deliver(url, dm("hello"));
    const reply = await eventually(async () => fake.state.replies[0], 8000);
    expect(JSON.stringify(reply.content)).toMatch(/pairing code is [A-Z0-9]{6}/);
    const events = await call<{ events: { detail: { retryInMs?: number } }[] }>("GET", `/api/events?channelId=${id}&kind=reply.retrying`, undefined, admin);
    expect(events.body.events[0]?.detail.retryInMs).toBe(1000);
  });

  it("requires the secrets again when the domain or API base changes", async () => {
    const { id, config } = await larkChannel();
    const hidden = { ...config, appSecret: "[hidden]", verificationToken: "[hidden]", encryptKey: "[hidden]" };
    expect((await call("PUT", `/api/channels/${id}`, { config: { ...hidden, domain: "feishu" } }, admin)).status).toBe(400);
    expect((await call("PUT", `/api/channels/${id}`, { config: { ...hidden, prefix: "!ai" } }, admin)).status).toBe(200);
  });
});
