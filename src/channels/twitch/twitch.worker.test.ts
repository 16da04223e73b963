/**
 * Twitch through the whole Worker: setup creates the EventSub subscriptions at the fake
 * (https://twitch.fake, routed by a fetch spy since the Worker shares this isolate), which
 * sends the signed challenge to /hooks/:id and enables them only if it is echoed; chat
 * notifications and whispers then arrive signed, and replies go back through Helix.
 */
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createTwitchFake, type TwitchFake } from "./fake-helix";
import chatMessage from "./fixtures/chat-message.json";
import whisperMessage from "./fixtures/whisper-message.json";
import { settleWithControl } from "../../../test/support/after-control";
import { adminToken, call, eventually, routeFetchTo } from "../../../test/worker/helpers";

const FAKE = "https://twitch.fake";
const BOT_ID = "2914196";
let admin: string;
beforeAll(async () => {
  admin = await adminToken();
});

async function twitchChannel() {
  const clientId = `client${crypto.randomUUID().slice(0, 12)}`;
  const clientSecret = `secret${crypto.randomUUID()}`;
  const userAccessToken = `user${crypto.randomUUID()}`;
  const fake = createTwitchFake({ clientId, clientSecret, userAccessToken, deliverFetch: (url, init) => SELF.fetch(url, init) });
  routeFetchTo(`${FAKE}/`, fake.handle);
  const created = await call<{ channel: { id: string; inboundUrl: string }; generatedSecrets: { eventSubSecret?: string } }>(
    "POST",
    "/api/channels",
    {
      type: "twitch",
      name: "twitch",
      policy: "open",
      config: { clientId, clientSecret, userAccessToken, botUserId: BOT_ID, broadcasterUserId: "1971641", apiBase: `${FAKE}/helix`, authBase: FAKE },
    },
    admin,
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.body.generatedSecrets.eventSubSecret).toBeTruthy();
  const setup = await call<{ ok: boolean; steps: string[] }>("POST", `/api/channels/${created.body.channel.id}/setup`, {}, admin);
  expect(setup.body.ok, setup.body.steps?.join("\n")).toBe(true);
  return { fake, id: created.body.channel.id, url: created.body.channel.inboundUrl };
}

function mention(text: string, chatter = String(Math.floor(Math.random() * 1e9))) {
  const event = structuredClone(chatMessage.event);
  event.chatter_user_id = chatter;
  event.message_id = crypto.randomUUID();
  event.message.text = `@loopbot ${text}`;
  event.message.fragments = [
    { type: "mention", text: "@loopbot", mention: { user_id: BOT_ID, user_login: "loopbot", user_name: "loopbot" } } as never,
    { type: "text", text: ` ${text}`, cheermote: null, emote: null, mention: null },
  ];
  return event;
}

/** Waits until a fresh mention from `chatter` is answered: what came before it is settled. */
const settled = (fake: TwitchFake, chatter: string) =>
  settleWithControl(
    (text) => fake.notify("channel.chat.message", mention(text, chatter)),
    fake.state.chat,
    (c) => c.message,
  );

const channelRow = async (id: string) =>
  (await call<{ channel: { status: string; lastError: string | null } }>("GET", `/api/channels/${id}`, undefined, admin)).body.channel;
const messagesOf = async (channelId: string) =>
  (await call<{ messages: unknown[] }>("GET", `/api/messages?channelId=${channelId}`, undefined, admin)).body.messages;

describe("Twitch channel, through the whole pipeline", () => {
  it("subscribes on setup and passes Twitch's challenge", async () => {
    const { fake } = await twitchChannel();
    expect(fake.state.subscriptions.map((s) => [s.type, s.status])).toEqual([
      ["channel.chat.message", "enabled"],
      ["user.whisper.message", "enabled"],
    ]);
  });

  it("answers an @mention in chat as a reply to it, once per message id", async () => {
    const { fake } = await twitchChannel();
    const event = mention("is **this** fine?");
    const first = await fake.notify("channel.chat.message", event, { messageId: "dup-1" });
    expect(first.status).toBe(204);
    expect((await fake.notify("channel.chat.message", event, { messageId: "dup-1" })).status).toBe(204);
    const [sent] = await eventually(async () => fake.state.chat.length > 0 && fake.state.chat);
    expect(sent).toMatchObject({ broadcaster_id: "1971641", sender_id: BOT_ID, reply_parent_message_id: event.message_id });
    expect(sent!.message).toContain("You said: is this fine?");
    await settled(fake, event.chatter_user_id);
    expect(fake.state.chat).toHaveLength(1);
  });

  it("answers a whisper with a whisper, and splits long answers at 500 characters", async () => {
    const { fake } = await twitchChannel();
    const event = structuredClone(whisperMessage.event);
    event.from_user_id = String(Math.floor(Math.random() * 1e9));
    event.to_user_id = BOT_ID;
    event.whisper.text = "tell me more ".repeat(60);
    await fake.notify("user.whisper.message", event);
    await eventually(async () => fake.state.whispers.length >= 2);
    expect(fake.state.whispers.every((w) => w.to === event.from_user_id && w.from === BOT_ID && w.message.length <= 500)).toBe(true);
    expect(fake.state.chat).toEqual([]);
  });

  it("refuses stale, forged and malformed messages and stores nothing; ignores chat not meant for the bot", async () => {
    const { fake, id, url } = await twitchChannel();
    const chatter = chatMessage.event.chatter_user_id;
    const stale = await fake.notify("channel.chat.message", mention("old", chatter), { timestamp: new Date(Date.now() - 11 * 60_000).toISOString() });
    expect(stale.status).toBe(403);
    const forged = await SELF.fetch(url, {
      method: "POST",
      headers: {
        "twitch-eventsub-message-id": "x",
        "twitch-eventsub-message-type": "notification",
        "twitch-eventsub-message-timestamp": new Date().toISOString(),
        "twitch-eventsub-message-signature": "sha256=00",
      },
      body: "{}",
    });
    expect(forged.status).toBe(403);
    expect((await fake.notify("channel.chat.message", { nope: true })).status).toBe(400);
    expect((await fake.notify("channel.chat.message", chatMessage.event)).status).toBe(204);
    await settled(fake, chatter);
    expect(await messagesOf(id)).toHaveLength(2); // the control message and its reply only
  });

  it("marks the channel broken when Twitch revokes the subscription", async () => {
    const { fake, id } = await twitchChannel();
    expect((await channelRow(id)).status).toBe("ok");
    expect((await fake.revoke("channel.chat.message")).status).toBe(204);
    const row = await channelRow(id);
    expect(row.status).toBe("error");
    expect(row.lastError).toContain("authorization_revoked");
  });

  it("retries after a 429 until Ratelimit-Reset", async () => {
    const { fake, id } = await twitchChannel();
    fake.failNext("/helix/chat/messages", { status: 429, message: "Too Many Requests", resetInSeconds: 1 });
    await fake.notify("channel.chat.message", mention("busy"));
    await eventually(async () => fake.state.chat.length === 1, 8000);
    const events = await call<{ events: { detail: { retryInMs?: number } }[] }>("GET", `/api/events?channelId=${id}&kind=reply.retrying`, undefined, admin);
    expect(events.body.events[0]?.detail.retryInMs).toBeGreaterThan(0);
  });
});
