/**
 * Mattermost through the whole Worker: the fake's slash command and outgoing webhook POST to
 * /hooks/:id with their tokens; answers reach the fake REST API (https://mattermost.fake,
 * routed by a fetch spy since the Worker shares this isolate) as the bot's posts.
 */
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createMattermostFake, mattermostId } from "./fake-server";
import outgoing from "./fixtures/outgoing-webhook.json";
import { settleWithControl } from "../../../test/support/after-control";
import { adminToken, call, eventually, routeFetchTo } from "../../../test/worker/helpers";

const SERVER = "https://mattermost.fake";
let admin: string;
beforeAll(async () => {
  admin = await adminToken();
});

async function mattermostChannel(policy = "open") {
  const botToken = `bot${crypto.randomUUID().replaceAll("-", "")}`;
  const slashCommandToken = mattermostId();
  const outgoingWebhookToken = mattermostId();
  const fake = createMattermostFake({ botToken, deliverFetch: (url, init) => SELF.fetch(url, init) });
  routeFetchTo(`${SERVER}/`, fake.handle);
  const created = await call<{ channel: { id: string; inboundUrl: string } }>(
    "POST",
    "/api/channels",
    { type: "mattermost", name: "mm", policy, config: { serverUrl: SERVER, botToken, slashCommandToken, outgoingWebhookToken } },
    admin,
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const channelId = mattermostId();
  fake.addBotTo(channelId);
  const slash = (text: string, userId = mattermostId(), token = slashCommandToken) =>
    fake.slash(created.body.channel.inboundUrl, {
      token,
      command: "/ask",
      text,
      channel_id: channelId,
      user_id: userId,
      user_name: "alice",
      trigger_id: `trig${crypto.randomUUID()}`,
      team_id: mattermostId(),
    });
  const webhook = (text: string, post = fake.userPost(channelId, `ai ${text}`), token = outgoingWebhookToken, userId = mattermostId()) =>
    fake.outgoing(created.body.channel.inboundUrl, {
      ...outgoing,
      token,
      channel_id: channelId,
      user_id: userId,
      post_id: post.id,
      text: `ai ${text}`,
      trigger_word: "ai",
    });
  return { fake, id: created.body.channel.id, url: created.body.channel.inboundUrl, channelId, slash, webhook, outgoingWebhookToken };
}

const messagesOf = async (channelId: string) =>
  (await call<{ messages: unknown[] }>("GET", `/api/messages?channelId=${channelId}`, undefined, admin)).body.messages;

describe("Mattermost channel, through the whole pipeline", () => {
  it("checks the bot token on setup and names the URL to configure", async () => {
    const { id, url } = await mattermostChannel();
    const setup = await call<{ ok: boolean; steps: string[] }>("POST", `/api/channels/${id}/setup`, {}, admin);
    expect(setup.body.ok).toBe(true);
    expect(setup.body.steps.join(" ")).toContain(url);
    expect(setup.body.steps[0]).toContain("@loopbot");
  });

  it("answers a slash command with an empty ephemeral ack, then as a post in the channel, in Markdown", async () => {
    const { fake, slash, channelId } = await mattermostChannel();
    const res = await slash("is **this** fine?");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ response_type: "ephemeral", text: "" });
    const [post] = await eventually(async () => fake.state.posts.length > 0 && fake.state.posts);
    expect(post).toMatchObject({ channel_id: channelId, root_id: "" });
    expect(post!.message).toContain("You said: is **this** fine?");
  });

  it("answers an outgoing webhook in the post's thread, and in the channel when that post was itself a reply", async () => {
    const { fake, webhook, channelId } = await mattermostChannel();
    const root = fake.userPost(channelId, "ai first");
    await webhook("first", root);
    await eventually(async () => fake.state.posts.length === 1);
    expect(fake.state.posts[0]).toMatchObject({ root_id: root.id });
    const reply = fake.userPost(channelId, "ai second", root.id);
    await webhook("second", reply);
    await eventually(async () => fake.state.posts.length === 2);
    expect(fake.state.posts[1]).toMatchObject({ root_id: "", message: expect.stringContaining("You said: second") });
  });

  it("refuses a wrong or missing token, the other integration's token and malformed bodies; stores nothing", async () => {
    const { fake, id, url, slash, webhook, outgoingWebhookToken } = await mattermostChannel();
    const user = mattermostId();
    expect((await slash("forged", user, "wrongtokenwrongtoken")).status).toBe(401);
    expect((await slash("webhook token on the command", user, outgoingWebhookToken)).status).toBe(401);
    expect((await webhook("forged", undefined, "wrongtokenwrongtoken", user)).status).toBe(401);
    const other = await SELF.fetch(url, { method: "POST", headers: { "content-type": "text/plain" }, body: "hello" });
    expect(other.status).toBe(400);
    expect((await fake.outgoing(url, { text: "no token" })).status).toBe(401);
    await settleWithControl(
      (text) => slash(text, user),
      fake.state.posts,
      (p) => p.message,
    );
    expect(await messagesOf(id)).toHaveLength(2); // the control message and its reply only
    expect(fake.state.posts).toEqual([]);
  });

  it("sends the pairing code to a new user as a post", async () => {
    const { fake, slash } = await mattermostChannel("pairing");
    await slash("hello");
    const [notice] = await eventually(async () => fake.state.posts.length > 0 && fake.state.posts);
    expect(notice!.message).toMatch(/pairing code is [A-Z0-9]{6}/);
  });

  it("retries after a 429 with Retry-After", async () => {
    const { fake, slash, id } = await mattermostChannel();
    fake.failNextPost({ status: 429, id: "api.context.rate_limit.app_error", message: "Too many requests", retryAfterSeconds: 1 });
    await slash("busy");
    await eventually(async () => fake.state.posts.length === 1, 8000);
    const events = await call<{ events: { detail: { retryInMs?: number } }[] }>("GET", `/api/events?channelId=${id}&kind=reply.retrying`, undefined, admin);
    expect(events.body.events[0]?.detail.retryInMs).toBe(1000);
  });
});
