/**
 * Discord through the whole Worker: setup registers the commands and the Interactions
 * Endpoint URL with the fake, which checks the endpoint like Discord (a signed PING, then a
 * bad signature); /ask is deferred at once and the reply edits the original response.
 * https://discord.fake/api/v10 is routed to the fake by a fetch spy (the Worker shares this isolate).
 */
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createDiscordFake, rateLimited, type DiscordFake } from "./fake-api";
import ask from "./fixtures/ask.json";
import { settleWithControl } from "../../../test/support/after-control";
import { adminToken, call, eventually, routeFetchTo } from "../../../test/worker/helpers";

const API_BASE = "https://discord.fake/api/v10";
const APP_ID = "123456789012345678";
let admin: string;
beforeAll(async () => {
  admin = await adminToken();
});

async function discordChannel() {
  const botToken = `bot-${crypto.randomUUID()}`;
  const fake = await createDiscordFake({ applicationId: APP_ID, botToken, deliverFetch: (url, init) => SELF.fetch(url, init) });
  routeFetchTo(`${API_BASE}/`, fake.handle);
  const created = await call<{ channel: { id: string; inboundUrl: string } }>(
    "POST",
    "/api/channels",
    { type: "discord", name: "discord", policy: "open", config: { applicationId: APP_ID, publicKey: fake.publicKey, botToken, apiBase: API_BASE } },
    admin,
  );
  expect(created.status).toBe(201);
  const setup = await call<{ ok: boolean; steps: string[] }>("POST", `/api/channels/${created.body.channel.id}/setup`, {}, admin);
  expect(setup.body).toMatchObject({ ok: true });
  return { fake, id: created.body.channel.id, url: created.body.channel.inboundUrl };
}

/** The documented /ask interaction with a fresh id, token and user (or the given user). */
function askInteraction(prompt: string, userId = String(Math.floor(Math.random() * 1e17))) {
  const i = structuredClone(ask);
  i.id = String(BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000)));
  i.token = `token-${crypto.randomUUID()}`;
  i.member.user.id = userId;
  i.data.options[0]!.value = prompt;
  return i;
}

/** Waits until a fresh /ask from `userId` is answered: what came before it is settled. */
const settled = (fake: DiscordFake, url: string, userId: string) =>
  settleWithControl(
    (text) => fake.deliver(url, askInteraction(text, userId)),
    fake.state.messages,
    (m) => m.content,
  );

describe("Discord channel, through the whole pipeline", () => {
  it("passes Discord's endpoint check on setup and registers /ask and /pair", async () => {
    const { fake, url } = await discordChannel();
    expect(fake.state.endpointUrl).toBe(url);
    expect(fake.state.interactionResponses.map((r) => r.status)).toEqual([200, 401]);
    expect(fake.state.commands.map((c) => (c as { name: string }).name)).toEqual(["ask", "pair"]);
  });

  it("defers /ask at once and edits the original response with the reply", async () => {
    const { fake, url } = await discordChannel();
    const i = askInteraction("what is a river?");
    const answer = await fake.deliver(url, i);
    expect(answer).toEqual({ status: 200, body: { type: 5 } });
    const [reply] = await eventually(async () => fake.state.messages.length > 0 && fake.state.messages);
    expect(reply).toMatchObject({ kind: "original", token: i.token, allowed_mentions: { parse: [] } });
    expect(reply!.content).toContain("You said: what is a river?");
  });

  it("rejects a bad signature with 401 and stores nothing", async () => {
    const { fake, id, url } = await discordChannel();
    const forged = askInteraction("forged");
    expect(await fake.deliver(url, forged, { badSignature: true })).toMatchObject({ status: 401 });
    await settled(fake, url, forged.member.user.id);
    // The control message and its reply only.
    expect((await call<{ messages: unknown[] }>("GET", `/api/messages?channelId=${id}`, undefined, admin)).body.messages).toHaveLength(2);
    expect(fake.state.messages).toEqual([]);
  });

  it("answers a repeated interaction once", async () => {
    const { fake, url } = await discordChannel();
    const i = askInteraction("once");
    await fake.deliver(url, i);
    await fake.deliver(url, i);
    await eventually(async () => fake.state.messages.length === 1);
    await settled(fake, url, i.member.user.id);
    expect(fake.state.messages).toHaveLength(1);
  });

  it("splits a long reply: the original edited, then follow-ups, each under 2000 characters", async () => {
    const { fake, url } = await discordChannel();
    await fake.deliver(url, askInteraction("tell me more ".repeat(300)));
    await eventually(async () => fake.state.messages.length === 2);
    expect(fake.state.messages.map((m) => m.kind)).toEqual(["original", "followup"]);
    expect(fake.state.messages.every((m) => m.content.length <= 2000)).toBe(true);
  });

  it("retries after a 429 retry_after and then edits the original", async () => {
    const { fake, id, url } = await discordChannel();
    fake.failNext(`PATCH /webhooks/${APP_ID}/:token/messages/@original`, rateLimited(0.5));
    await fake.deliver(url, askInteraction("rate limited"));
    await eventually(async () => fake.state.messages.length === 1, 8000);
    const events = await call<{ events: { detail: { retryInMs?: number } }[] }>("GET", `/api/events?channelId=${id}&kind=reply.retrying`, undefined, admin);
    expect(events.body.events[0]?.detail.retryInMs).toBe(500);
  });
});
