/**
 * Mattermost's "… is typing" through the whole Worker: published for the bot in the thread the
 * reply goes to when the turn starts, renewed while it runs (Mattermost's apps drop it after
 * 5 s), stopped by the reply; a server that refuses it changes nothing about the reply.
 */
import { SELF } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createMattermostFake, mattermostId } from "./fake-server";
import outgoing from "./fixtures/outgoing-webhook.json";
import { mattermostAdapter } from "./index";
import { MATTERMOST_TYPING_RENEW_MS, MATTERMOST_TYPING_SHOWN_MS } from "./typing";
import { adminToken, call, eventually, routeFetchTo, slowTurns } from "../../../test/worker/helpers";

/** The renewal interval for these tests, so renewals happen within a second rather than 4. */
const TEST_RENEW_MS = 300;
let admin: string;
beforeAll(async () => {
  admin = await adminToken();
});
afterEach(() => {
  vi.restoreAllMocks();
  mattermostAdapter.typing!.renewEveryMs = MATTERMOST_TYPING_RENEW_MS;
});

/** A channel on its own fake server, the bot in one Mattermost channel, and the integrations' requests to the gateway. */
async function mattermostChannel() {
  const server = `https://mm-typing-${crypto.randomUUID().slice(0, 8)}.fake`;
  const botToken = `bot${crypto.randomUUID().replaceAll("-", "")}`;
  const slashCommandToken = mattermostId();
  const outgoingWebhookToken = mattermostId();
  const fake = createMattermostFake({ botToken, deliverFetch: (url, init) => SELF.fetch(url, init) });
  routeFetchTo(`${server}/`, fake.handle);
  const created = await call<{ channel: { id: string; inboundUrl: string } }>(
    "POST",
    "/api/channels",
    { type: "mattermost", name: "mm", policy: "open", config: { serverUrl: server, botToken, slashCommandToken, outgoingWebhookToken } },
    admin,
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const channelId = mattermostId();
  fake.addBotTo(channelId);
  const url = created.body.channel.inboundUrl;
  const webhook = (text: string) => {
    const post = fake.userPost(channelId, `ai ${text}`);
    return {
      post,
      sent: fake.outgoing(url, {
        ...outgoing,
        token: outgoingWebhookToken,
        channel_id: channelId,
        user_id: mattermostId(),
        post_id: post.id,
        text: `ai ${text}`,
        trigger_word: "ai",
      }),
    };
  };
  const slash = (text: string) =>
    fake.slash(url, {
      token: slashCommandToken,
      command: "/ask",
      text,
      channel_id: channelId,
      user_id: mattermostId(),
      user_name: "alice",
      trigger_id: `trig${crypto.randomUUID()}`,
      team_id: mattermostId(),
    });
  return { fake, id: created.body.channel.id, channelId, webhook, slash };
}

describe("Mattermost typing indicator", () => {
  it("is renewed before Mattermost's apps drop it", () => {
    expect(MATTERMOST_TYPING_RENEW_MS).toBeLessThan(MATTERMOST_TYPING_SHOWN_MS);
  });

  it("shows in the thread the reply goes to, is renewed while the turn runs, and stops with the reply", async () => {
    mattermostAdapter.typing!.renewEveryMs = TEST_RENEW_MS;
    const { fake, channelId, webhook } = await mattermostChannel();
    // The turn's first event and at least two renewals before the answer is written.
    slowTurns(() => fake.state.typing.length >= 3);
    const { post, sent } = webhook("take your time");
    expect((await sent).status).toBe(200);
    const [reply] = await eventually(async () => fake.state.posts.length > 0 && fake.state.posts, 15_000);
    expect(reply).toMatchObject({ channel_id: channelId, root_id: post.id, message: expect.stringContaining("You said: take your time") });
    expect(fake.state.typing.length).toBeGreaterThanOrEqual(3);
    expect(fake.state.typing.every((t) => t.channel_id === channelId && t.parent_id === post.id)).toBe(true);
    // Stopped with the turn: no event after the reply went out.
    const after = fake.state.typing.length;
    await new Promise((r) => setTimeout(r, TEST_RENEW_MS * 3));
    expect(fake.state.typing.length).toBe(after);
  }, 20_000);

  it("shows in the channel for a slash command, whose answer is a post in the channel", async () => {
    mattermostAdapter.typing!.renewEveryMs = TEST_RENEW_MS;
    const { fake, channelId, slash } = await mattermostChannel();
    slowTurns(() => fake.state.typing.length >= 1);
    expect((await slash("hello")).status).toBe(200);
    await eventually(async () => fake.state.posts.length > 0, 15_000);
    expect(fake.state.typing[0]).toEqual({ channel_id: channelId, parent_id: "", at: expect.any(Number) });
  }, 20_000);

  it("changes nothing when the server refuses it: the reply goes out once", async () => {
    mattermostAdapter.typing!.renewEveryMs = TEST_RENEW_MS;
    const { fake, id, webhook } = await mattermostChannel();
    fake.failTypingRequests();
    // The turn waits until the indicator was refused at least twice.
    slowTurns(() => fake.state.typingRefused >= 2);
    expect((await webhook("still there?").sent).status).toBe(200);
    const runs = await eventually(async () => {
      const r = (await call<{ runs: { deliveryStatus: string; deliveryAttempts: number }[] }>("GET", `/api/runs?channelId=${id}`, undefined, admin)).body.runs;
      return r[0]?.deliveryStatus === "sent" && r;
    }, 15_000);
    expect(runs[0]).toMatchObject({ deliveryAttempts: 1 });
    expect(fake.state.posts).toEqual([expect.objectContaining({ message: expect.stringContaining("You said: still there?") })]);
    expect(fake.state.typing).toEqual([]);
  }, 20_000);
});
