/** LINE channel units: the SDK's signature vector, documented webhook bodies, text and Flex output, and error mapping. */
import { describe, expect, it } from "vitest";
import { isInvalidReplyToken, lineSendResult, retryKeyFor } from "./api";
import { lineBodySchema, normalizeLineBody, REPLY_TOKEN_TTL_MS } from "./events";
import { lineMessageFor } from "./flex";
import { markdownToPlainText } from "../shared/plain-text";
import { lineSignature, verifyLineSignature } from "./signature";
import { notices } from "../../pipeline/notices";
import follow from "./fixtures/follow.json";
import imageUser from "./fixtures/image-user.json";
import signatureExample from "./fixtures/signature-example.json";
import groupMention from "./fixtures/text-group-mention.json";
import textUser from "./fixtures/text-user.json";
import verifyBody from "./fixtures/verify.json";

const NOW = 1462629480000;
const parse = (body: unknown) => lineBodySchema.parse(body);

describe("LINE signature", () => {
  it("matches the vector from LINE's SDK and refuses a changed body or a missing header", async () => {
    expect(await lineSignature(signatureExample.channelSecret, signatureExample.body)).toBe(signatureExample.signature);
    const headers = new Headers({ "x-line-signature": signatureExample.signature });
    expect(await verifyLineSignature(signatureExample.channelSecret, headers, signatureExample.body)).toEqual({ ok: true });
    expect(await verifyLineSignature(signatureExample.channelSecret, headers, '{"hello":"World"}')).toMatchObject({ ok: false });
    expect(await verifyLineSignature("other_secret", headers, signatureExample.body)).toMatchObject({ ok: false });
    expect(await verifyLineSignature(signatureExample.channelSecret, new Headers(), signatureExample.body)).toEqual({
      ok: false,
      error: "missing x-line-signature header",
    });
  });
});

describe("LINE webhook bodies", () => {
  it("turns a one-to-one text into a message keyed by webhookEventId, with a reply token valid for a bounded time", () => {
    const out = normalizeLineBody(parse(textUser), { now: NOW });
    expect(out.messages).toEqual([
      {
        senderId: "U4af4980629a1b2c3d4e5f60718293a4b",
        conversationId: "U4af4980629a1b2c3d4e5f60718293a4b",
        platformMessageId: "01FZ74A0TDDPYRVKNK77XKC3ZR",
        text: "Good Morning!!",
        attachments: undefined,
        replyContext: {
          chatId: "U4af4980629a1b2c3d4e5f60718293a4b",
          replyToken: "nHuyWiB7yP5Zw52FIkcQobQuGDXCTA",
          replyUntil: String(1462629479859 + REPLY_TOKEN_TTL_MS),
        },
      },
    ]);
    expect(out.loadingChats).toEqual(["U4af4980629a1b2c3d4e5f60718293a4b"]);
  });

  it("answers a redelivered event by push: its reply token is not used", () => {
    const body = structuredClone(textUser);
    body.events[0]!.deliveryContext.isRedelivery = true;
    expect(normalizeLineBody(parse(body), { now: NOW }).messages[0]?.replyContext).toEqual({ chatId: "U4af4980629a1b2c3d4e5f60718293a4b" });
  });

  it("ignores a group message that mentions someone else, and answers one that mentions the bot, as the person", () => {
    expect(normalizeLineBody(parse(groupMention), { now: NOW })).toMatchObject({ messages: [], ignored: ["group message not addressed to the bot"] });
    const body = structuredClone(groupMention);
    body.events[0]!.message.mention.mentionees[1]!.isSelf = true;
    const [message] = normalizeLineBody(parse(body), { now: NOW }).messages;
    expect(message).toMatchObject({
      senderId: "U4af4980629a1b2c3d4e5f60718293a4b",
      conversationId: "Ca56f94637c1a2b3c4d5e6f708192a3b4",
      text: "@All Good Morning!! (love)",
    });
    expect(normalizeLineBody(parse(body), { now: NOW }).loadingChats).toEqual([]);
  });

  it("answers a group message that starts with the configured prefix", () => {
    const body = structuredClone(groupMention);
    body.events[0]!.message.text = "!ai what time is it?";
    delete (body.events[0]!.message as { mention?: unknown }).mention;
    expect(normalizeLineBody(parse(body), { now: NOW, groupPrefix: "!ai" }).messages[0]?.text).toBe("what time is it?");
    expect(normalizeLineBody(parse(body), { now: NOW }).messages).toEqual([]);
  });

  it("makes an image a content reference, and ignores follow events and the console's empty Verify body", () => {
    expect(normalizeLineBody(parse(imageUser), { now: NOW }).messages[0]).toMatchObject({
      text: "[image]",
      attachments: [{ type: "image/jpeg", url: "line-content:354718705033693859" }],
    });
    expect(normalizeLineBody(parse(follow), { now: NOW })).toMatchObject({ messages: [], ignored: ["follow event is not handled"] });
    expect(normalizeLineBody(parse(verifyBody), { now: NOW })).toEqual({ messages: [], loadingChats: [], ignored: [] });
  });

  it("refuses bodies that are not LINE webhooks", () => {
    expect(lineBodySchema.safeParse({ events: [] }).success).toBe(false);
    expect(lineBodySchema.safeParse({ destination: "U1", events: [{ type: "message" }] }).success).toBe(false);
  });
});

describe("LINE output", () => {
  it("renders Markdown as plain text, code verbatim", () => {
    expect(markdownToPlainText("## Plan\n- **bold** and *it* and [docs](https://example.com)\n\n```ts\nconst a = **b**;\n```")).toBe(
      "Plan\n• bold and it and docs (https://example.com)\n\nconst a = **b**;",
    );
  });

  it("sends the gateway's pairing notice and a job result as Flex, anything else as text", () => {
    const pairing = lineMessageFor(notices.pairingRequest("K7M2QX", 10), { isNotice: false, firstChunk: true });
    expect(pairing).toMatchObject({ type: "flex", altText: expect.stringContaining("K7M2QX") });
    expect(JSON.stringify(pairing)).toContain('"text":"K7M2QX","wrap":true,"size":"xxl"');
    expect(lineMessageFor("[Daily digest] **3** new issues", { isNotice: true, firstChunk: true })).toMatchObject({
      type: "flex",
      altText: "[Daily digest] 3 new issues",
      contents: { header: { contents: [{ text: "Daily digest" }] } },
    });
    expect(lineMessageFor("[x] a checkbox in a model reply", { isNotice: false, firstChunk: true })).toEqual({
      type: "text",
      text: "[x] a checkbox in a model reply",
    });
    expect(lineMessageFor(notices.slowDown(30), { isNotice: false, firstChunk: true })).toEqual({ type: "text", text: notices.slowDown(30) });
  });

  it("derives one UUID retry key per delivery", async () => {
    const key = await retryKeyFor("msg_1:0000");
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await retryKeyFor("msg_1:0000")).toBe(key);
    expect(await retryKeyFor("msg_1:0001")).not.toBe(key);
  });
});

describe("LINE errors", () => {
  const res = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers });
  it("maps each answer once", async () => {
    expect(await lineSendResult(res(200, { sentMessages: [{ id: "461230966842064897" }] }))).toEqual({ ok: true, platformMessageId: "461230966842064897" });
    expect(await lineSendResult(res(409, { message: "The retry key is already accepted" }, { "x-line-accepted-request-id": "abc" }))).toEqual({ ok: true });
    expect(await lineSendResult(res(429, { message: "Too Many Requests" }, { "retry-after": "2" }))).toMatchObject({
      ok: false,
      retryable: true,
      retryAfterMs: 2000,
    });
    expect(await lineSendResult(res(429, { message: "You have reached your monthly limit." }))).toMatchObject({ ok: false, retryable: false });
    expect(await lineSendResult(res(500, { message: "Internal error" }))).toMatchObject({ ok: false, retryable: true });
    expect(await lineSendResult(res(401, { message: "Authentication failed" }))).toMatchObject({ ok: false, retryable: false });
    const invalid = await lineSendResult(res(400, { message: "Invalid reply token" }));
    expect(invalid).toMatchObject({ ok: false, retryable: false });
    expect(isInvalidReplyToken(invalid)).toBe(true);
    expect(
      await lineSendResult(res(400, { message: "The request body has 1 error(s)", details: [{ message: "May not be empty", property: "messages[0].text" }] })),
    ).toMatchObject({
      error: "LINE HTTP 400: The request body has 1 error(s): messages[0].text May not be empty",
    });
  });
});
