/**
 * Teams through the whole Worker: the fake Bot Framework signs activities with its published key
 * and posts them to /hooks/:id; the Worker checks the JWT against the fake's OpenID metadata, gets a
 * bot token from the fake's token endpoint and replies through the fake Connector (each channel
 * gets its own fake host, routed by a fetch spy since the Worker shares this isolate).
 */
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { type TeamsFake } from "./fake-bot-framework";
import channelMention from "./fixtures/message-channel-mention.json";
import conversationUpdate from "./fixtures/conversation-update.json";
import personal from "./fixtures/message-personal.json";
import { settleWithControl } from "../../../test/support/after-control";
import { type TeamsChannelOptions, createTeamsChannel } from "../../../test/worker/teams-channel";
import { adminToken, call, eventually } from "../../../test/worker/helpers";

let admin: string;
beforeAll(async () => {
  admin = await adminToken();
});

const teamsChannel = (extra: TeamsChannelOptions = {}) => createTeamsChannel(admin, extra);

/** A documented personal message from a fresh sender, with a fresh activity id. */
function dm(text: string, sender = crypto.randomUUID()) {
  const activity = structuredClone(personal);
  activity.id = String(Date.now() + Math.floor(Math.random() * 1e6));
  activity.from.aadObjectId = sender;
  activity.text = text;
  return activity;
}

/** Waits until a fresh message from `sender` is answered: what came before it is settled. */
const settled = (fake: TeamsFake, url: string, sender: string) =>
  settleWithControl(
    (text) => fake.deliver(url, dm(text, sender)),
    fake.state.posted,
    (p) => p.activity.text,
  );

/** What the gateway stored as received on this channel. */
const inboundOf = async (channelId: string) =>
  (await call<{ messages: { direction: string }[] }>("GET", `/api/messages?channelId=${channelId}`, undefined, admin)).body.messages.filter(
    (m) => m.direction === "in",
  );

describe("Teams channel, through the whole pipeline", () => {
  it("checks the app's credentials on setup and names the messaging endpoint (single-tenant too)", async () => {
    const { id, url, fake } = await teamsChannel({ tenantId: "contoso.onmicrosoft.com" });
    const setup = await call<{ ok: boolean; steps: string[] }>("POST", `/api/channels/${id}/setup`, {}, admin);
    expect(setup.body.ok).toBe(true);
    expect(setup.body.steps.join(" ")).toContain(url);
    expect(fake.state.tokenRequests).toBe(1);
  });

  it("replies to a personal message as a reply to its activity, shows typing, and reuses the bot token", async () => {
    const { fake, url } = await teamsChannel();
    const first = dm("is 1 < 2?");
    expect((await fake.deliver(url, first)).status).toBe(200);
    const [posted] = await eventually(async () => fake.state.posted.length > 0 && fake.state.posted);
    expect(posted).toMatchObject({
      conversationId: personal.conversation.id,
      replyToId: first.id,
      activity: { type: "message", textFormat: "markdown", replyToId: first.id },
    });
    expect(posted!.activity.text).toContain("You said: is 1 < 2?");
    expect(fake.state.typing).toContain(personal.conversation.id);
    await fake.deliver(url, dm("again"));
    await eventually(async () => fake.state.posted.length === 2);
    expect(fake.state.tokenRequests).toBe(1);
  });

  it("answers a channel @mention, ignores channel chatter and conversation updates without storing them", async () => {
    const { fake, id, url } = await teamsChannel();
    const mention = structuredClone(channelMention);
    expect((await fake.deliver(url, mention)).status).toBe(200);
    const [posted] = await eventually(async () => fake.state.posted.length > 0 && fake.state.posted);
    expect(posted).toMatchObject({ conversationId: channelMention.conversation.id, replyToId: channelMention.id });
    expect(posted!.activity.text).toContain("You said: what is the status of the build?");
    const chatter = { ...structuredClone(channelMention), id: "1481567609999", text: "people talking", entities: [] };
    expect(await (await fake.deliver(url, chatter)).json()).toMatchObject({ ok: true, ignored: expect.any(String) });
    expect(await (await fake.deliver(url, conversationUpdate)).json()).toMatchObject({ ok: true, ignored: expect.any(String) });
    expect(await inboundOf(id)).toHaveLength(1);
  });

  it("refuses a missing token, a forged key, another app's token, a malformed body and an unknown type; stores nothing", async () => {
    const { fake, id, url } = await teamsChannel();
    expect((await fake.deliver(url, dm("no token"), { token: null })).status).toBe(401);
    const forged = await fake.signToken({ serviceUrl: fake.baseUrl, key: await fake.unpublishedKey() });
    expect((await fake.deliver(url, dm("forged"), { token: forged })).status).toBe(401);
    const otherApp = await fake.signToken({ serviceUrl: fake.baseUrl, audience: "00000000-0000-0000-0000-000000000000" });
    expect((await fake.deliver(url, dm("other app"), { token: otherApp })).status).toBe(401);
    const stale = await fake.signToken({ serviceUrl: fake.baseUrl, expiresInSeconds: -600 });
    expect((await fake.deliver(url, dm("stale"), { token: stale })).status).toBe(401);
    const token = await fake.signToken({ serviceUrl: fake.baseUrl });
    const malformed = await SELF.fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "{not json",
    });
    expect(malformed.status).toBe(400);
    expect((await fake.deliver(url, { ...dm("x"), type: "brandNewType" })).status).toBe(400);
    expect(await inboundOf(id)).toEqual([]);
    expect(fake.state.posted).toEqual([]);
  });

  it("deduplicates a redelivered activity by its id", async () => {
    const { fake, url } = await teamsChannel();
    const activity = dm("only once");
    expect(await (await fake.deliver(url, activity)).json()).toMatchObject({ accepted: 1 });
    expect(await (await fake.deliver(url, activity)).json()).toMatchObject({ accepted: 0, duplicates: 1 });
    await eventually(async () => fake.state.posted.length === 1);
    await settled(fake, url, activity.from.aadObjectId);
    expect(fake.state.posted).toHaveLength(1);
  });

  it("splits a long reply under 8000 characters and sends a table as an Adaptive Card", async () => {
    const { fake, url } = await teamsChannel();
    await fake.deliver(url, dm("many words here. ".repeat(600)));
    await eventually(async () => fake.state.posted.length === 2);
    expect(fake.state.posted.every((p) => (p.activity.text ?? "").length <= 8000)).toBe(true);
    await fake.deliver(url, dm("\n| job | status |\n|---|---|\n| api | green |"));
    const card = await eventually(async () => fake.state.posted.find((p) => p.activity.attachments)?.activity.attachments?.[0]);
    expect(card.contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(JSON.stringify(card.content)).toContain("green");
  });

  it("sends the pairing code and the slow-down notice to the sender", async () => {
    const paired = await teamsChannel({ policy: "pairing" });
    await paired.fake.deliver(paired.url, dm("hello"));
    const pairing = await eventually(async () => paired.fake.state.posted[0]);
    expect(pairing.activity.text).toMatch(/pairing code is [A-Z0-9]{6}/);

    const limited = await teamsChannel({ rateLimitPerMinute: 1 });
    const sender = crypto.randomUUID();
    await limited.fake.deliver(limited.url, dm("one", sender));
    await limited.fake.deliver(limited.url, dm("two", sender));
    await eventually(async () => limited.fake.state.posted.some((p) => /too fast/.test(p.activity.text ?? "")));
  });

  it("retries after a 429 with Retry-After and then delivers", async () => {
    const { fake, id, url } = await teamsChannel();
    fake.failNext({ status: 429, retryAfterSeconds: 1 });
    await fake.deliver(url, dm("rate limited"));
    await eventually(async () => fake.state.posted.length === 1, 8000);
    const events = await call<{ events: { detail: { retryInMs?: number } }[] }>("GET", `/api/events?channelId=${id}&kind=reply.retrying`, undefined, admin);
    expect(events.body.events[0]?.detail.retryInMs).toBe(1000);
  });

  it("requires the secret again when an endpoint changes", async () => {
    const { id, config } = await teamsChannel();
    const moved = await call<{ error: string }>(
      "PUT",
      `/api/channels/${id}`,
      { config: { ...config, appPassword: "[hidden]", loginBase: "https://attacker.example" } },
      admin,
    );
    expect(moved.status).toBe(400);
    expect(moved.body.error).toContain("requires the secrets again");
    const kept = await call("PUT", `/api/channels/${id}`, { config: { ...config, appPassword: "[hidden]", prefix: "!ai" } }, admin);
    expect(kept.status).toBe(200);
    const resupplied = await call("PUT", `/api/channels/${id}`, { config: { ...config, loginBase: "https://login.example" } }, admin);
    expect(resupplied.status).toBe(200);
  });
});
