/**
 * Google Chat through the whole Worker: the fake signs each event's bearer token (project-number
 * or endpoint-URL audience) and posts it to /hooks/:id; the Worker verifies it against the fake's
 * keys, answers `{}`, and replies through the fake's spaces.messages.create with a token from the
 * service-account assertion (each channel has its own fake host, routed by a fetch spy).
 */
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createChatFake } from "./fake-chat-api";
import addedToSpace from "./fixtures/added-to-space.json";
import dmFixture from "./fixtures/message-dm.json";
import mention from "./fixtures/message-space-mention.json";
import { adminToken, call, eventually, routeFetchTo } from "../../../test/worker/helpers";

const PROJECT = { projectNumber: "1234567890" };
let admin: string;
beforeAll(async () => {
  admin = await adminToken();
});

async function chatChannel(audienceType: "project-number" | "endpoint-url" = "project-number", extra: { policy?: string } = {}) {
  const base = `https://chat-${crypto.randomUUID().slice(0, 8)}.fake`;
  const fake = await createChatFake({ baseUrl: base, deliverFetch: (url, init) => SELF.fetch(url, init) });
  routeFetchTo(`${base}/`, fake.handle);
  const certsUrl = audienceType === "project-number" ? `${base}/service_accounts/v1/jwk/chat@system.gserviceaccount.com` : `${base}/oauth2/v3/certs`;
  const config = { audienceType, projectNumber: PROJECT.projectNumber, serviceAccountKey: await fake.serviceAccountKey(), apiBase: base, certsUrl };
  const created = await call<{ channel: { id: string; inboundUrl: string } }>(
    "POST",
    "/api/channels",
    { type: "google-chat", name: "chat", policy: extra.policy ?? "open", config },
    admin,
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const url = created.body.channel.inboundUrl;
  const audience = audienceType === "project-number" ? PROJECT : { endpointUrl: url };
  return { fake, config, audience, id: created.body.channel.id, url };
}

function dm(text: string) {
  const event = structuredClone(dmFixture);
  event.message.name = `spaces/AAAAAAAAAAA/messages/${crypto.randomUUID().slice(0, 12)}`;
  event.message.sender.name = `users/${Math.floor(Math.random() * 1e15)}`;
  event.message.text = text;
  return event;
}

const inboundOf = async (channelId: string) =>
  (await call<{ messages: { direction: string }[] }>("GET", `/api/messages?channelId=${channelId}`, undefined, admin)).body.messages.filter(
    (m) => m.direction === "in",
  );

describe("Google Chat channel, through the whole pipeline", () => {
  it("gets a service-account token on setup and names the endpoint", async () => {
    const { id, url, fake } = await chatChannel();
    const setup = await call<{ ok: boolean; steps: string[] }>("POST", `/api/channels/${id}/setup`, {}, admin);
    expect(setup.body.ok).toBe(true);
    expect(setup.body.steps.join(" ")).toContain(url);
    expect(fake.state.tokenRequests).toBe(1);
  });

  it("answers a DM asynchronously in its thread (project-number audience)", async () => {
    const { fake, url, audience } = await chatChannel("project-number");
    const res = await fake.deliver(url, dm("is **this** bold?"), audience);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    const [created] = await eventually(async () => fake.state.created.length > 0 && fake.state.created);
    expect(created).toMatchObject({
      space: "spaces/AAAAAAAAAAA",
      messageReplyOption: "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD",
      body: { thread: dmFixture.message.thread },
    });
    expect(created!.body.text).toContain("You said: is *this* bold?");
    expect(created!.requestId).toBeTruthy();
  });

  it("answers a space @mention with the endpoint-URL audience and ignores chatter and ADDED_TO_SPACE", async () => {
    const { fake, id, url, audience } = await chatChannel("endpoint-url");
    expect((await fake.deliver(url, mention, audience)).status).toBe(200);
    const [created] = await eventually(async () => fake.state.created.length > 0 && fake.state.created);
    expect(created).toMatchObject({ space: "spaces/AAAAjKaM1AE", body: { thread: mention.message.thread } });
    expect(created!.body.text).toContain("You said: what changed in the release?");
    const chatter = structuredClone(mention);
    chatter.message.name = "spaces/AAAAjKaM1AE/messages/other";
    chatter.message.annotations = [];
    expect((await fake.deliver(url, chatter, audience)).status).toBe(200);
    expect((await fake.deliver(url, addedToSpace, audience)).status).toBe(200);
    expect(await inboundOf(id)).toHaveLength(1);
  });

  it("refuses no token, a forged one, another project's and a wrong email, a malformed body and an unknown type; stores nothing", async () => {
    const { fake, id, url, audience } = await chatChannel();
    expect((await fake.deliver(url, dm("none"), audience, { token: null })).status).toBe(401);
    expect((await fake.deliver(url, dm("forged"), audience, { token: await fake.signEventToken(PROJECT, { forged: true }) })).status).toBe(401);
    expect((await fake.deliver(url, dm("other"), audience, { token: await fake.signEventToken({ projectNumber: "42424242" }) })).status).toBe(401);
    const token = await fake.signEventToken(PROJECT);
    expect((await SELF.fetch(url, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: "[1,2" })).status).toBe(400);
    expect((await fake.deliver(url, { ...dm("x"), type: "NEW_THING" }, audience)).status).toBe(400);
    const endpoint = await chatChannel("endpoint-url");
    const wrongEmail = await endpoint.fake.signEventToken({ endpointUrl: endpoint.url }, { email: "attacker@example.com" });
    expect((await endpoint.fake.deliver(endpoint.url, dm("email"), endpoint.audience, { token: wrongEmail })).status).toBe(401);
    expect(await inboundOf(id)).toEqual([]);
    expect(await inboundOf(endpoint.id)).toEqual([]);
  });

  it("deduplicates a redelivered event by the message name, splits long replies, sends tables as cards", async () => {
    const { fake, url, audience } = await chatChannel();
    const event = dm("once");
    expect(await (await fake.deliver(url, event, audience)).json()).toEqual({});
    await fake.deliver(url, event, audience);
    await eventually(async () => fake.state.created.length === 1);
    await fake.deliver(url, dm("word ".repeat(1200)), audience);
    await eventually(async () => fake.state.created.length === 3);
    expect(fake.state.created.every((c) => (c.body.text ?? "").length <= 4096)).toBe(true);
    await fake.deliver(url, dm("\n| a | b |\n|---|---|\n| 1 | 2 |"), audience);
    const card = await eventually(async () => fake.state.created.find((c) => c.body.cardsV2)?.body.cardsV2?.[0]);
    expect(JSON.stringify(card.card)).toContain("grid");
  });

  it("sends the pairing code to the sender and retries a 429", async () => {
    const { fake, url, audience } = await chatChannel("project-number", { policy: "pairing" });
    fake.failNext({ status: 429, retryAfterSeconds: 1 });
    await fake.deliver(url, dm("hello"), audience);
    const pairing = await eventually(async () => fake.state.created[0], 8000);
    expect(pairing.body.text).toMatch(/pairing code is [A-Z0-9]{6}/);
  });

  it("requires the key again when the API base changes", async () => {
    const { id, config } = await chatChannel();
    const moved = await call(
      "PUT",
      `/api/channels/${id}`,
      { config: { ...config, serviceAccountKey: "[hidden]", apiBase: "https://attacker.example" } },
      admin,
    );
    expect(moved.status).toBe(400);
  });
});
