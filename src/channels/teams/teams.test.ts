/**
 * Teams, unit layer: Bot Framework JWT checks against the fake's OpenID metadata and key set,
 * activity normalisation of the documented payloads, and Markdown / Adaptive Card replies.
 */
import { describe, expect, it } from "vitest";
import { normalizeActivity, activitySchema } from "./activity";
import { verifyTeamsToken } from "./auth";
import { createTeamsFake } from "./fake-bot-framework";
import { replyActivity, toTeamsMarkdown } from "./format";
import channelMention from "./fixtures/message-channel-mention.json";
import conversationUpdate from "./fixtures/conversation-update.json";
import personal from "./fixtures/message-personal.json";

const APP_ID = "c9e8c047-2a74-40a2-b28a-b162d5f5327c";
const parse = (value: unknown) => activitySchema.parse(value);

describe("Bot Framework token", () => {
  async function setup() {
    const base = `https://bf-${crypto.randomUUID().slice(0, 8)}.fake`;
    const fake = await createTeamsFake({ appId: APP_ID, appPassword: "secret-value-123", baseUrl: base });
    const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => fake.handle(new Request(input, init))) as typeof fetch;
    const check = (token: string, serviceUrl = base, channelId = "msteams") =>
      verifyTeamsToken({
        token,
        appId: APP_ID,
        openIdMetadataUrl: `${base}/v1/.well-known/openidconfiguration`,
        serviceUrl,
        channelId,
        fetch: fetcher,
        now: Date.now(),
      });
    return { fake, base, check };
  }

  it("accepts a token from the published keys for this app and serviceUrl", async () => {
    const { fake, base, check } = await setup();
    expect(await check(await fake.signToken({ serviceUrl: base }))).toEqual({ ok: true });
    expect(await check(await fake.signToken({ serviceUrl: `${base}/` }))).toEqual({ ok: true });
  });

  it("refuses a wrong audience, issuer, serviceUrl, expiry, key or channel", async () => {
    const { fake, base, check } = await setup();
    expect(await check(await fake.signToken({ serviceUrl: base, audience: "another-app" }))).toMatchObject({
      ok: false,
      error: expect.stringContaining("aud"),
    });
    expect(await check(await fake.signToken({ serviceUrl: base, issuer: "https://evil.example" }))).toMatchObject({
      ok: false,
      error: expect.stringContaining("iss"),
    });
    expect(await check(await fake.signToken({ serviceUrl: "https://evil.example/" }))).toMatchObject({
      ok: false,
      error: expect.stringContaining("serviceUrl"),
    });
    // Five minutes of skew are allowed, six are not.
    expect(await check(await fake.signToken({ serviceUrl: base, expiresInSeconds: -240 }))).toEqual({ ok: true });
    expect(await check(await fake.signToken({ serviceUrl: base, expiresInSeconds: -360 }))).toMatchObject({ ok: false, error: expect.stringContaining("exp") });
    expect(await check(await fake.signToken({ serviceUrl: base, key: await fake.unpublishedKey() }))).toMatchObject({
      ok: false,
      error: expect.stringContaining("kid"),
    });
    expect(await check(await fake.signToken({ serviceUrl: base }), base, "skype")).toMatchObject({ ok: false, error: expect.stringContaining("endorsed") });
    expect(await check("not.a.jwt")).toMatchObject({ ok: false });
  });

  it("fetches the key set again when a token names a new kid, and caches it otherwise", async () => {
    const { fake, base, check } = await setup();
    await check(await fake.signToken({ serviceUrl: base }));
    await check(await fake.signToken({ serviceUrl: base }));
    expect(fake.state.keyRequests).toBe(1);
    await fake.rotateKeys();
    expect(await check(await fake.signToken({ serviceUrl: base }))).toEqual({ ok: true });
    expect(fake.state.keyRequests).toBe(2);
    // A second unknown kid within the cooldown does not fetch again.
    expect(await check(await fake.signToken({ serviceUrl: base, key: await fake.unpublishedKey() }))).toMatchObject({ ok: false });
    expect(fake.state.keyRequests).toBe(2);
  });
});

describe("Teams activities", () => {
  it("takes a personal message from the person, keyed by conversation and activity id", () => {
    const result = normalizeActivity(parse(personal), undefined);
    expect(result).toEqual({
      kind: "message",
      message: {
        senderId: "7faf2a74-5a3f-4bc7-b5fb-e4f5ea2a49cd",
        senderName: "Megan Bowen",
        conversationId: personal.conversation.id,
        platformMessageId: `${personal.conversation.id}:1485983408511`,
        text: "Hello Teams bot",
        replyContext: { serviceUrl: "https://smba.trafficmanager.net/amer/", activityId: "1485983408511", conversationType: "personal" },
        // The personal chat's reference, for proactive messages (an approval prompt for this person as admin).
        directRoute: {
          conversationId: personal.conversation.id,
          replyContext: { serviceUrl: "https://smba.trafficmanager.net/amer/", tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47" },
        },
      },
    });
  });

  it("answers a channel message only when mentioned or prefixed, without the mention", () => {
    const mention = normalizeActivity(parse(channelMention), undefined);
    expect(mention).toMatchObject({ kind: "message", message: { text: "what is the status of the build?", senderId: "6b79f8a3-0ce5-4cae-b1b3-04b0d0ee9aa1" } });
    // A channel thread is no place for a message to one person: no direct route from it.
    expect(mention.kind === "message" && mention.message.directRoute).toBe(undefined);
    const chatter = { ...channelMention, text: "just talking among people", entities: [] };
    expect(normalizeActivity(parse(chatter), undefined)).toMatchObject({ kind: "ignored" });
    expect(normalizeActivity(parse({ ...chatter, text: "!ai summarise" }), "!ai")).toMatchObject({ kind: "message", message: { text: "summarise" } });
  });

  it("ignores known non-message activities and the bot's own, refuses unknown types", () => {
    expect(normalizeActivity(parse(conversationUpdate), undefined)).toMatchObject({ kind: "ignored" });
    expect(normalizeActivity(parse({ ...personal, from: personal.recipient }), undefined)).toMatchObject({ kind: "ignored" });
    expect(normalizeActivity(parse({ ...personal, type: "somethingNew" }), undefined)).toMatchObject({ kind: "invalid" });
  });
});

describe("Teams replies", () => {
  it("keeps Teams Markdown and turns headings into bold lines", () => {
    expect(toTeamsMarkdown("# Plan\n**bold** and *it*\n```\n# not a heading\n```")).toBe("**Plan**\n**bold** and *it*\n```\n# not a heading\n```");
    expect(replyActivity("hi", "123")).toEqual({ type: "message", replyToId: "123", text: "hi", textFormat: "markdown" });
  });

  it("sends a reply with a table as an Adaptive Card 1.5 with a Table", () => {
    const activity = replyActivity("## Builds\nLatest runs:\n\n| job | status |\n|---|---|\n| api | green |\n| web | red |");
    const card = (
      activity.attachments as { contentType: string; content: { version: string; body: { type: string; text?: string; rows?: unknown[] }[] } }[]
    )[0]!;
    expect(card.contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(card.content.version).toBe("1.5");
    expect(card.content.body.map((b) => b.type)).toEqual(["TextBlock", "TextBlock", "Table"]);
    expect(card.content.body[0]?.text).toBe("Builds");
    expect(card.content.body[2]?.rows).toHaveLength(3);
    expect(activity.text).toBeUndefined();
  });
});
