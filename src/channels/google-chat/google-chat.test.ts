/**
 * Google Chat, unit layer: bearer tokens for both audience settings against the fake's keys,
 * normalisation of the documented events, and Chat text / Card v2 replies.
 */
import { describe, expect, it } from "vitest";
import { verifyChatToken } from "./auth";
import { chatEventSchema, normalizeChatEvent } from "./event";
import { createChatFake } from "./fake-chat-api";
import { chatMessageBody, toChatText } from "./format";
import addedToSpace from "./fixtures/added-to-space.json";
import dm from "./fixtures/message-dm.json";
import mention from "./fixtures/message-space-mention.json";

const parse = (value: unknown) => chatEventSchema.parse(value);

describe("Chat bearer tokens", async () => {
  const base = `https://chat-${crypto.randomUUID().slice(0, 8)}.fake`;
  const fake = await createChatFake({ baseUrl: base });
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => fake.handle(new Request(input, init))) as typeof fetch;
  const project = { kind: "project-number", projectNumber: "1234567890", certsUrl: `${base}/service_accounts/v1/jwk/chat@system.gserviceaccount.com` } as const;
  const endpoint = { kind: "endpoint-url", endpointUrl: "https://gw.example/hooks/ch_1", certsUrl: `${base}/oauth2/v3/certs` } as const;

  it("accepts Chat's project-number JWT and a Google ID token for the endpoint URL", async () => {
    expect(await verifyChatToken(await fake.signEventToken({ projectNumber: "1234567890" }), project, fetcher, Date.now())).toEqual({ ok: true });
    expect(await verifyChatToken(await fake.signEventToken({ endpointUrl: endpoint.endpointUrl }), endpoint, fetcher, Date.now())).toEqual({ ok: true });
  });

  it("refuses another project, another endpoint, another email, a forged or expired token", async () => {
    const check = async (token: string, audience: typeof project | typeof endpoint) => verifyChatToken(token, audience, fetcher, Date.now());
    expect(await check(await fake.signEventToken({ projectNumber: "999999999" }), project)).toMatchObject({ ok: false });
    expect(await check(await fake.signEventToken({ endpointUrl: "https://other.example/hook" }), endpoint)).toMatchObject({ ok: false });
    expect(await check(await fake.signEventToken({ endpointUrl: endpoint.endpointUrl }, { email: "someone@example.com" }), endpoint)).toMatchObject({
      ok: false,
      error: expect.stringContaining("chat@system"),
    });
    expect(await check(await fake.signEventToken({ projectNumber: "1234567890" }, { forged: true }), project)).toMatchObject({ ok: false });
    expect(await check(await fake.signEventToken({ projectNumber: "1234567890" }, { expiresInSeconds: -120 }), project)).toMatchObject({ ok: false });
    // An ID token (endpoint audience) is not accepted where Chat's own JWT is expected.
    expect(await check(await fake.signEventToken({ endpointUrl: "1234567890" }), project)).toMatchObject({ ok: false });
  });
});

describe("Chat events", () => {
  it("takes a DM from the person, in its thread, keyed by the message name", () => {
    expect(normalizeChatEvent(parse(dm), undefined)).toEqual({
      kind: "message",
      message: {
        senderId: "users/12345678901234567890",
        senderName: "Chuck Norris",
        conversationId: "spaces/AAAAAAAAAAA",
        platformMessageId: "spaces/AAAAAAAAAAA/messages/CCCCCCCCCCC",
        text: "Hello Chat app",
        replyContext: { threadName: "spaces/AAAAAAAAAAA/threads/BBBBBBBBBBB" },
      },
    });
  });

  it("answers a space message only when the app is mentioned or the prefix is used", () => {
    expect(normalizeChatEvent(parse(mention), undefined)).toMatchObject({ kind: "message", message: { text: "what changed in the release?" } });
    const chatter = { ...mention, message: { ...mention.message, text: "lunch?", argumentText: "lunch?", annotations: [] } };
    expect(normalizeChatEvent(parse(chatter), undefined)).toMatchObject({ kind: "ignored" });
    const prefixed = { ...chatter, message: { ...chatter.message, text: "!ai lunch?" } };
    expect(normalizeChatEvent(parse(prefixed), "!ai")).toMatchObject({ kind: "message", message: { text: "lunch?" } });
  });

  it("ignores ADDED_TO_SPACE and app senders, refuses unknown event types", () => {
    expect(normalizeChatEvent(parse(addedToSpace), undefined)).toMatchObject({ kind: "ignored" });
    expect(normalizeChatEvent(parse({ ...dm, message: { ...dm.message, sender: { name: "users/1", type: "BOT" } } }), undefined)).toMatchObject({
      kind: "ignored",
    });
    expect(normalizeChatEvent(parse({ ...dm, type: "SOMETHING_NEW" }), undefined)).toMatchObject({ kind: "invalid" });
  });
});

describe("Chat replies", () => {
  it("converts Markdown to Chat's format and leaves code alone", () => {
    expect(toChatText("# Title\n**bold**, *it*, ~~gone~~ and [docs](https://example.com) `**x**`")).toBe(
      "*Title*\n*bold*, _it_, ~gone~ and <https://example.com|docs> `**x**`",
    );
  });

  it("sends a reply with a table as a Card v2 with a grid, in the thread", () => {
    const body = chatMessageBody("## Builds\n| job | status |\n|---|---|\n| api | green |", "d1", "spaces/A/threads/B");
    expect(body.thread).toEqual({ name: "spaces/A/threads/B" });
    const [card] = body.cardsV2 as {
      cardId: string;
      card: { header: { title: string }; sections: { widgets: { grid?: { columnCount: number; items: unknown[] } }[] }[] };
    }[];
    expect(card?.card.header.title).toBe("Builds");
    expect(card?.card.sections[0]?.widgets[0]?.grid).toMatchObject({
      columnCount: 2,
      items: [{ title: "*job*" }, { title: "*status*" }, { title: "api" }, { title: "green" }],
    });
  });
});
