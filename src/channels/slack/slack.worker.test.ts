/**
 * Slack through the whole Worker: the fake signs Events API deliveries with the app's signing
 * secret and posts them to /hooks/:id; replies reach the fake Web API's chat.postMessage
 * (https://slack.fake/api, routed by a fetch spy since the Worker shares this isolate).
 */
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createSlackFake, type SlackFake } from "./fake-web-api";
import appMention from "./fixtures/app-mention.json";
import messageIm from "./fixtures/message-im.json";
import signatureExample from "./fixtures/signature-example.json";
import urlVerification from "./fixtures/url-verification.json";
import { settleWithControl } from "../../../test/support/after-control";
import { adminToken, call, eventually, routeFetchTo } from "../../../test/worker/helpers";

const API_BASE = "https://slack.fake/api";
let admin: string;
beforeAll(async () => {
  admin = await adminToken();
});

async function slackChannel(signingSecret = `signing-${crypto.randomUUID()}`) {
  const botToken = `xoxb-${crypto.randomUUID()}`;
  const fake = createSlackFake({ botToken, signingSecret, deliverFetch: (url, init) => SELF.fetch(url, init) });
  routeFetchTo(`${API_BASE}/`, fake.handle);
  const created = await call<{ channel: { id: string; inboundUrl: string } }>(
    "POST",
    "/api/channels",
    { type: "slack", name: "slack", policy: "open", config: { botToken, signingSecret, apiBase: API_BASE } },
    admin,
  );
  expect(created.status).toBe(201);
  return { fake, id: created.body.channel.id, url: created.body.channel.inboundUrl };
}

/** A documented event with a fresh event id and sender, so tests never share a sender's object. */
function dm(text: string, user = `U${crypto.randomUUID().slice(0, 8).toUpperCase()}`) {
  const payload = structuredClone(messageIm);
  payload.event_id = `Ev${crypto.randomUUID().slice(0, 10)}`;
  payload.event.user = user;
  payload.event.text = text;
  return payload;
}

/** Waits until a fresh DM from `user` is answered: what came before it is settled. */
const settled = (fake: SlackFake, url: string, user: string) =>
  settleWithControl(
    (text) => fake.deliver(url, dm(text, user)),
    fake.state.posted,
    (p) => p.text,
  );

const messagesOf = async (channelId: string) =>
  (await call<{ messages: unknown[] }>("GET", `/api/messages?channelId=${channelId}`, undefined, admin)).body.messages;

describe("Slack channel, through the whole pipeline", () => {
  it("answers the url_verification challenge and checks the bot token on setup", async () => {
    const { fake, id, url } = await slackChannel();
    const res = await fake.deliver(url, urlVerification);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: urlVerification.challenge });
    const setup = await call<{ ok: boolean; steps: string[] }>("POST", `/api/channels/${id}/setup`, {}, admin);
    expect(setup.body.ok).toBe(true);
    expect(setup.body.steps.join(" ")).toContain(url);
  });

  it("replies to a mention in its thread, in mrkdwn", async () => {
    const { fake, url } = await slackChannel();
    const payload = structuredClone(appMention);
    payload.event.text = "<@U0LAN0Z89> is 1 &lt; 2?";
    expect((await fake.deliver(url, payload)).status).toBe(200);
    const [posted] = await eventually(async () => fake.state.posted.length > 0 && fake.state.posted);
    expect(posted).toMatchObject({ channel: "C123ABC456", thread_ts: "1515449522.000016" });
    expect(posted!.text).toContain("You said: is 1 &lt; 2?");
  });

  it("rejects Slack's documented request as replayed, a wrong secret and a stale timestamp; stores nothing", async () => {
    const { fake, id, url } = await slackChannel(signatureExample.signingSecret);
    const replay = await SELF.fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": signatureExample.timestamp,
        "x-slack-signature": signatureExample.signature,
      },
      body: signatureExample.body,
    });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual({ error: expect.stringContaining("5-minute window") });
    const forged = createSlackFake({ botToken: "xoxb-x", signingSecret: "not-the-signing-secret", deliverFetch: (u, init) => SELF.fetch(u, init) });
    const user = "UFORGED01";
    expect((await forged.deliver(url, dm("forged", user))).status).toBe(401);
    expect((await fake.deliver(url, dm("late", user), { timestamp: Math.floor(Date.now() / 1000) - 301 })).status).toBe(401);
    await settled(fake, url, user);
    expect(await messagesOf(id)).toHaveLength(2); // the control message and its reply only
  });

  it("deduplicates Slack's retries (X-Slack-Retry-Num) by event_id", async () => {
    const { fake, url } = await slackChannel();
    const payload = dm("only once");
    expect(await (await fake.deliver(url, payload)).json()).toMatchObject({ accepted: 1 });
    expect(await (await fake.deliver(url, payload, { retryNum: 1 })).json()).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await (await fake.deliver(url, payload, { retryNum: 2 })).json()).toMatchObject({ accepted: 0, duplicates: 1 });
    await eventually(async () => fake.state.posted.length === 1);
    await settled(fake, url, payload.event.user);
    expect(fake.state.posted).toHaveLength(1);
    expect(fake.state.posted[0]).toMatchObject({ channel: "D024BE91L", thread_ts: undefined });
  });

  it("splits a long reply under 4000 characters per message", async () => {
    const { fake, url } = await slackChannel();
    await fake.deliver(url, dm("lots of words ".repeat(400)));
    await eventually(async () => fake.state.posted.length === 2);
    expect(fake.state.posted.every((p) => p.text.length <= 4000)).toBe(true);
  });

  it("retries after a 429 with Retry-After and then delivers", async () => {
    const { fake, id, url } = await slackChannel();
    fake.failNext("chat.postMessage", { status: 429, retryAfterSeconds: 1, error: "ratelimited" });
    await fake.deliver(url, dm("rate limited"));
    await eventually(async () => fake.state.posted.length === 1, 8000);
    expect(fake.state.calls.filter((c) => c.method === "chat.postMessage")).toHaveLength(2);
    const events = await call<{ events: { detail: { retryInMs?: number } }[] }>("GET", `/api/events?channelId=${id}&kind=reply.retrying`, undefined, admin);
    expect(events.body.events[0]?.detail.retryInMs).toBe(1000);
  });
});
