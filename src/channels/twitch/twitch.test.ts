/** Twitch channel units: EventSub signatures and the replay window, documented notifications, and Helix error mapping. */
import { describe, expect, it } from "vitest";
import { twitchSendResult } from "./api";
import { normalizeNotification, notificationSchema } from "./events";
import { parseTwitchTimestamp, twitchSignature, verifyTwitchSignature } from "./signature";
import chatMessage from "./fixtures/chat-message.json";
import whisperMessage from "./fixtures/whisper-message.json";

const SECRET = "s3cRe7-eventsub";
const BOT = { botUserId: "2914196" };
const TS = "2019-11-16T10:11:12.634234626Z";
const AT = Date.parse("2019-11-16T10:11:12.634Z");

async function headers(body: string, timestamp = TS, id = "e76c6bd4-55c9-4987-8304-da1588d8988b") {
  return new Headers({
    "twitch-eventsub-message-id": id,
    "twitch-eventsub-message-timestamp": timestamp,
    "twitch-eventsub-message-signature": await twitchSignature(SECRET, id, timestamp, body),
  });
}

describe("Twitch EventSub signature", () => {
  it("is sha256= and the hex HMAC of id + timestamp + body, as documented", async () => {
    const { createHmac } = await import("node:crypto");
    const body = JSON.stringify(chatMessage);
    const id = "e76c6bd4-55c9-4987-8304-da1588d8988b";
    expect(await twitchSignature(SECRET, id, TS, body)).toBe(
      `sha256=${createHmac("sha256", SECRET)
        .update(id + TS + body)
        .digest("hex")}`,
    );
    expect(await verifyTwitchSignature(SECRET, await headers(body), body, AT)).toEqual({ ok: true, messageId: id });
    expect(await verifyTwitchSignature("another-secret", await headers(body), body, AT)).toMatchObject({ ok: false, error: "signature does not match" });
    expect(await verifyTwitchSignature(SECRET, await headers(body), `${body} `, AT)).toMatchObject({ ok: false });
  });

  it("refuses messages older than 10 minutes, from the future, or without headers", async () => {
    const body = "{}";
    expect(await verifyTwitchSignature(SECRET, await headers(body), body, AT + 10 * 60_000 + 1)).toMatchObject({
      ok: false,
      error: expect.stringContaining("older than 10 minutes"),
    });
    expect(await verifyTwitchSignature(SECRET, await headers(body), body, AT + 9 * 60_000)).toMatchObject({ ok: true });
    expect(await verifyTwitchSignature(SECRET, await headers(body), body, AT - 11 * 60_000)).toMatchObject({ ok: false });
    expect(await verifyTwitchSignature(SECRET, new Headers(), body, AT)).toMatchObject({ ok: false });
    expect(await verifyTwitchSignature(SECRET, await headers(body, "yesterday"), body, AT)).toMatchObject({ ok: false });
    expect(parseTwitchTimestamp(TS)).toBe(AT);
  });
});

describe("Twitch notifications", () => {
  const chat = (patch: (e: typeof chatMessage.event) => void) => {
    const p = structuredClone(chatMessage);
    patch(p.event);
    return notificationSchema.parse(p);
  };

  it("ignores chat that is not addressed to the bot, and the bot's own messages", () => {
    expect(normalizeNotification(notificationSchema.parse(chatMessage), "m1", BOT)).toEqual({
      kind: "ignored",
      reason: "chat message not addressed to the bot",
    });
    expect(
      normalizeNotification(
        chat((e) => (e.chatter_user_id = BOT.botUserId)),
        "m1",
        BOT,
      ),
    ).toMatchObject({ kind: "ignored" });
  });

  it("answers an @mention of the bot as the chatter, replying to the message", () => {
    const mention = chat((e) => {
      e.message.text = "@loopbot what is up?";
      e.message.fragments = [
        { type: "mention", text: "@loopbot", mention: { user_id: BOT.botUserId, user_login: "loopbot", user_name: "loopbot" } } as never,
        { type: "text", text: " what is up?", cheermote: null, emote: null, mention: null },
      ];
    });
    expect(normalizeNotification(mention, "msg-1", BOT)).toEqual({
      kind: "message",
      message: {
        senderId: "4145994",
        senderName: "viewer32",
        conversationId: "1971641",
        platformMessageId: "msg-1",
        text: "what is up?",
        replyContext: { kind: "chat", broadcasterId: "1971641", parentMessageId: "cc106a89-1814-919d-454c-f4f2f970aae7" },
      },
    });
  });

  it("answers a reply to the bot and a message with the command prefix", () => {
    const reply = chat((e) => {
      (e as { reply: unknown }).reply = {
        parent_message_id: "p1",
        parent_user_id: BOT.botUserId,
        parent_user_login: "loopbot",
        parent_message_body: "hi",
        thread_message_id: "p1",
        thread_user_id: BOT.botUserId,
      };
    });
    expect(normalizeNotification(reply, "m", BOT)).toMatchObject({ kind: "message", message: { text: "Hi chat" } });
    const prefixed = chat((e) => {
      e.message.text = "!ai tell a joke";
      e.message.fragments = [{ type: "text", text: "!ai tell a joke", cheermote: null, emote: null, mention: null }];
    });
    expect(normalizeNotification(prefixed, "m", { ...BOT, commandPrefix: "!ai" })).toMatchObject({ kind: "message", message: { text: "tell a joke" } });
  });

  it("answers a whisper privately, and ignores unknown subscription types", () => {
    expect(normalizeNotification(notificationSchema.parse(whisperMessage), "w1", { botUserId: "424596340" })).toEqual({
      kind: "message",
      message: {
        senderId: "423374343",
        senderName: "glowillig",
        conversationId: "whisper:423374343",
        platformMessageId: "w1",
        text: "a secret",
        replyContext: { kind: "whisper" },
      },
    });
    expect(normalizeNotification(notificationSchema.parse({ subscription: { id: "x", type: "channel.follow" }, event: {} }), "f", BOT)).toMatchObject({
      kind: "ignored",
    });
    expect(
      normalizeNotification(notificationSchema.parse({ subscription: { id: "x", type: "channel.chat.message" }, event: { nope: 1 } }), "f", BOT),
    ).toMatchObject({ kind: "invalid" });
  });
});

describe("Twitch errors", () => {
  const res = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(body === null ? null : JSON.stringify(body), { status, headers });
  it("maps each answer once", async () => {
    expect(await twitchSendResult(res(200, { data: [{ message_id: "abc", is_sent: true, drop_reason: null }] }))).toEqual({
      ok: true,
      platformMessageId: "abc",
    });
    expect(await twitchSendResult(res(204, null))).toEqual({ ok: true, platformMessageId: undefined });
    expect(
      await twitchSendResult(res(200, { data: [{ message_id: "", is_sent: false, drop_reason: { code: "msg_duplicate", message: "duplicate" } }] })),
    ).toMatchObject({ ok: false, retryable: false });
    const now = 1_700_000_000_000;
    expect(await twitchSendResult(res(429, { status: 429, message: "Too Many Requests" }, { "ratelimit-reset": String(now / 1000 + 3) }), now)).toMatchObject({
      ok: false,
      retryable: true,
      retryAfterMs: 3000,
    });
    expect(await twitchSendResult(res(503, { status: 503, message: "unavailable" }))).toMatchObject({ retryable: true });
    expect(await twitchSendResult(res(403, { status: 403, message: "The sender must have authorized the app" }))).toMatchObject({
      retryable: false,
      error: "Twitch HTTP 403: The sender must have authorized the app",
    });
  });
});
