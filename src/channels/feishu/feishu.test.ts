/**
 * Feishu/Lark, unit layer: the documented decryption vector, signatures, event normalisation of
 * the documented payloads, and post / card replies.
 */
import { describe, expect, it } from "vitest";
import { messageEventSchema, normalizeMessageEvent } from "./event";
import { larkReply } from "./format";
import { decryptLark, encryptLark, larkSignature, verifyLarkSignature } from "./security";
import vector from "./fixtures/encryption-vector.json";
import group from "./fixtures/message-receive-group-mention.json";
import p2p from "./fixtures/message-receive-p2p.json";

const BOT = "ou_bot0000000000000000000000000001";

describe("Feishu security", () => {
  it("decrypts the documented vector and refuses another key or a short body", async () => {
    expect(await decryptLark(vector.encryptKey, vector.encrypt)).toBe(vector.plaintext);
    expect(await decryptLark("other key", vector.encrypt)).toBeNull();
    expect(await decryptLark(vector.encryptKey, "AAAA")).toBeNull();
    expect(await decryptLark(vector.encryptKey, await encryptLark(vector.encryptKey, "round trip"))).toBe("round trip");
  });

  it("checks X-Lark-Signature over timestamp + nonce + key + body, within five minutes", async () => {
    const body = '{"encrypt":"x"}';
    const now = Date.now();
    const ts = String(Math.floor(now / 1000));
    const headers = (sig: string, t = ts) => new Headers({ "x-lark-request-timestamp": t, "x-lark-request-nonce": "n0nce", "x-lark-signature": sig });
    const sig = await larkSignature(ts, "n0nce", "key-123456", body);
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
    expect(await verifyLarkSignature("key-123456", headers(sig), body, now)).toEqual({ ok: true });
    expect(await verifyLarkSignature("key-other0", headers(sig), body, now)).toMatchObject({ ok: false });
    expect(await verifyLarkSignature("key-123456", headers(sig), `${body} `, now)).toMatchObject({ ok: false });
    const old = String(Math.floor(now / 1000) - 400);
    expect(await verifyLarkSignature("key-123456", headers(await larkSignature(old, "n0nce", "key-123456", body), old), body, now)).toMatchObject({
      ok: false,
      error: expect.stringContaining("window"),
    });
  });
});

describe("Feishu events", () => {
  it("takes a private text message from the person, keyed by event_id, replying to the message", () => {
    expect(normalizeMessageEvent(p2p.header.event_id, messageEventSchema.parse(p2p.event), {})).toEqual({
      kind: "message",
      message: {
        senderId: "ou_84aad35d084aa403a838cf73ee18467",
        conversationId: "oc_5ce6d572455d361153b7xx51da133945",
        platformMessageId: "5e3702a84e847582be8db7fb73283c02",
        text: "hello world",
        replyContext: { messageId: "om_5ce6d572455d361153b7cb51da133945" },
      },
    });
  });

  it("answers a group only when the bot is mentioned or the prefix is used, without the mention", () => {
    const event = messageEventSchema.parse(group.event);
    expect(normalizeMessageEvent("e1", event, { openId: BOT })).toMatchObject({ kind: "message", message: { text: "summarise the thread" } });
    expect(normalizeMessageEvent("e1", event, { openId: "ou_someone_else" })).toMatchObject({ kind: "ignored" });
    const chatter = messageEventSchema.parse({ ...group.event, message: { ...group.event.message, content: '{"text":"!ai hi"}', mentions: [] } });
    expect(normalizeMessageEvent("e2", chatter, { openId: BOT, prefix: "!ai" })).toMatchObject({ kind: "message", message: { text: "hi" } });
    expect(normalizeMessageEvent("e2", chatter, { openId: BOT })).toMatchObject({ kind: "ignored" });
  });

  it("reads a post whose line holds something other than an element (regression: null threw)", () => {
    const post = {
      ...p2p.event,
      message: {
        ...p2p.event.message,
        message_type: "post",
        content: JSON.stringify({ title: "t", content: [[null, 7, "x", { tag: "text", text: "hi" }], null] }),
      },
    };
    expect(normalizeMessageEvent("e", messageEventSchema.parse(post), {})).toMatchObject({ kind: "message", message: { text: "t\nhi" } });
  });

  it("replaces mention placeholders once, longest first, so names holding placeholders cannot grow the text (regression: 2^40 copies)", () => {
    const mention = (key: string, name: string) => ({ key, id: { open_id: `ou_${name.length}` }, name });
    const event = (text: string, mentions: ReturnType<typeof mention>[]) =>
      messageEventSchema.parse({ ...p2p.event, message: { ...p2p.event.message, content: JSON.stringify({ text }), mentions } });
    const echoing = Array.from({ length: 40 }, () => mention("@_user_1", "@_user_1 @_user_1"));
    expect(normalizeMessageEvent("e", event("@_user_1", echoing), {})).toMatchObject({ message: { text: "@@_user_1 @_user_1" } });
    const tenth = event("@_user_10 and @_user_1", [mention("@_user_1", "Ann"), mention("@_user_10", "Bob")]);
    expect(normalizeMessageEvent("e", tenth, {})).toMatchObject({ message: { text: "@Bob and @Ann" } });
    // Names are cut, and a text that still grows past the content limit is refused rather than stored.
    const long = "x".repeat(1000);
    expect(normalizeMessageEvent("e", event("@_a", [mention("@_a", long)]), {})).toMatchObject({ message: { text: `@${long.slice(0, 64)}` } });
    expect(normalizeMessageEvent("e", event("@_a".repeat(60_000), [mention("@_a", long)]), {})).toMatchObject({ kind: "invalid" });
  });

  it("ignores apps' messages and unsupported message types", () => {
    expect(normalizeMessageEvent("e", messageEventSchema.parse({ ...p2p.event, sender: { ...p2p.event.sender, sender_type: "app" } }), {})).toMatchObject({
      kind: "ignored",
    });
    // Stickers cannot be downloaded (the resource API refuses them); pictures and files are resources.test.ts's.
    const sticker = { ...p2p.event, message: { ...p2p.event.message, message_type: "sticker", content: '{"file_key":"file_v2_x"}' } };
    expect(normalizeMessageEvent("e", messageEventSchema.parse(sticker), {})).toMatchObject({ kind: "ignored" });
  });
});

describe("Feishu replies", () => {
  it("sends Markdown as a post with an md element, headings bold", () => {
    expect(larkReply("# Title\n**b** [x](https://e.com)")).toEqual({
      msgType: "post",
      content: { zh_cn: { content: [[{ tag: "md", text: "**Title**\n**b** [x](https://e.com)" }]] } },
    });
  });

  it("sends a table as an interactive card with a table component", () => {
    const { msgType, content } = larkReply("## Jobs\n| job | status |\n|---|---|\n| api | green |");
    expect(msgType).toBe("interactive");
    expect(content).toMatchObject({
      header: { title: { content: "Jobs" } },
      elements: [{ tag: "table", columns: [{ display_name: "job" }, { display_name: "status" }], rows: [{ c0: "api", c1: "green" }] }],
    });
  });
});
