import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { splitText } from "../../lib/split-text";
import { slackAdapter, type SlackConfig } from ".";
import { normalizeSlackPayload } from "./events";
import { escapeSlack, fromSlackText, toSlackMrkdwn } from "./format";
import { slackSignature, verifySlackSignature } from "./signature";
import type { ChannelContext } from "../shared/types";
import { createSlackFake, slackEventHeaders } from "./fake-web-api";

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), "utf8")) as Record<string, unknown>;
const vector = fixture("signature-example") as { signingSecret: string; timestamp: string; body: string; signature: string };
const BOT_TOKEN = "xoxb-1234-5678-fakefakefake";
const SIGNING_SECRET = "slack-signing-secret-0123456789ab";

function setup() {
  const fake = createSlackFake({ botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET });
  const ctx: ChannelContext<SlackConfig> = {
    channelId: "ch_slack",
    config: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiBase: "https://slack.fake/api" },
    publicUrl: "https://gw.example",
    now: Date.now(),
    fetch: async (input, init) => fake.handle(new Request(input, init)),
  };
  return { fake, ctx };
}

async function event(payload: unknown, opts: { secret?: string; timestamp?: number; tamper?: boolean } = {}) {
  const body = JSON.stringify(payload);
  const headers = await slackEventHeaders(opts.secret ?? SIGNING_SECRET, body, opts.timestamp);
  return new Request("https://gw.example/hooks/ch_slack", { method: "POST", headers, body: opts.tamper ? body.replace("hear", "HEAR") : body });
}

describe("Slack request signing", () => {
  it("computes Slack's documented example signature", async () => {
    expect(await slackSignature(vector.signingSecret, vector.timestamp, vector.body)).toBe(vector.signature);
  });

  it("accepts the documented request at its own time and refuses it five minutes later", async () => {
    const headers = new Headers({ "x-slack-request-timestamp": vector.timestamp, "x-slack-signature": vector.signature });
    const sentAt = Number(vector.timestamp) * 1000;
    expect(await verifySlackSignature(vector.signingSecret, headers, vector.body, sentAt + 299_000)).toEqual({ ok: true });
    expect(await verifySlackSignature(vector.signingSecret, headers, vector.body, sentAt + 301_000)).toMatchObject({
      ok: false,
      error: expect.stringContaining("5-minute window"),
    });
    expect(await verifySlackSignature(vector.signingSecret, headers, `${vector.body}x`, sentAt)).toMatchObject({
      ok: false,
      error: "signature does not match",
    });
    expect(await verifySlackSignature("another-secret", headers, vector.body, sentAt)).toMatchObject({ ok: false });
  });
});

describe("Slack formatting", () => {
  it("escapes &, < and > and converts Markdown to mrkdwn", () => {
    expect(escapeSlack("a < b && c > d")).toBe("a &lt; b &amp;&amp; c &gt; d");
    expect(toSlackMrkdwn("**bold**, *italic*, ~~gone~~ and [docs](https://e.com/?a=1&b=2)")).toBe(
      "*bold*, _italic_, ~gone~ and <https://e.com/?a=1&amp;b=2|docs>",
    );
    expect(toSlackMrkdwn("# Title\n`a<b>` and ```\nx && y\n```")).toBe("*Title*\n`a&lt;b&gt;` and ```x &amp;&amp; y\n```");
    expect(toSlackMrkdwn("<@U123> <!channel>")).toBe("&lt;@U123&gt; &lt;!channel&gt;");
  });

  it("reads Slack's markup back as plain text", () => {
    expect(fromSlackText("<@U0LAN0Z89> is 1 &lt; 2 &amp;&amp; <https://e.com|e>?", true)).toBe("is 1 < 2 && e (https://e.com)?");
  });
});

describe("Slack events (fixtures from Slack's documentation)", () => {
  it("normalises a DM and a mention; the mention is answered in a thread", () => {
    expect(normalizeSlackPayload(fixture("message-im"))).toEqual({
      kind: "message",
      message: {
        senderId: "U2147483697",
        conversationId: "D024BE91L",
        platformMessageId: "Ev0PV52K21",
        text: "Hello hello can you hear me?",
        replyContext: undefined,
      },
    });
    expect(normalizeSlackPayload(fixture("app-mention"))).toMatchObject({
      kind: "message",
      message: {
        senderId: "U061F7AUR",
        conversationId: "C123ABC456",
        platformMessageId: "Ev123ABC456",
        text: "is it everything a river should be?",
        replyContext: { threadTs: "1515449522.000016" },
      },
    });
  });

  it("ignores channel chatter, bot messages and edits", () => {
    expect(normalizeSlackPayload(fixture("message-channels")).kind).toBe("ignored");
    const im = fixture("message-im") as { event: Record<string, unknown> };
    expect(normalizeSlackPayload({ ...im, event: { ...im.event, bot_id: "B1" } }).kind).toBe("ignored");
    expect(normalizeSlackPayload({ ...im, event: { ...im.event, subtype: "message_changed" } }).kind).toBe("ignored");
    expect(normalizeSlackPayload({ type: "block_actions" }).kind).toBe("invalid");
  });
});

describe("Slack Events API verification", () => {
  it("answers the url_verification challenge", async () => {
    const { ctx } = setup();
    const result = await slackAdapter.verify!(await event(fixture("url-verification")), ctx);
    expect(result.kind).toBe("response");
    if (result.kind === "response") expect(await result.response.json()).toEqual({ challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" });
  });

  it("accepts a signed event and rejects a wrong secret, a changed body, a stale timestamp and missing headers", async () => {
    const { ctx } = setup();
    expect(await slackAdapter.verify!(await event(fixture("message-im")), ctx)).toMatchObject({ kind: "messages" });
    expect(await slackAdapter.verify!(await event(fixture("message-im"), { secret: "wrong-secret-wrong-secret" }), ctx)).toMatchObject({
      kind: "rejected",
      status: 401,
    });
    expect(await slackAdapter.verify!(await event(fixture("message-im"), { tamper: true }), ctx)).toMatchObject({ kind: "rejected", status: 401 });
    expect(await slackAdapter.verify!(await event(fixture("message-im"), { timestamp: Math.floor(Date.now() / 1000) - 600 }), ctx)).toMatchObject({
      kind: "rejected",
      status: 401,
      error: expect.stringContaining("window"),
    });
    const unsigned = new Request("https://gw.example/hooks/x", { method: "POST", body: JSON.stringify(fixture("message-im")) });
    expect(await slackAdapter.verify!(unsigned, ctx)).toMatchObject({ kind: "rejected", status: 401, error: expect.stringContaining("missing") });
  });
});

describe("Slack delivery", () => {
  const out = (text: string, threadTs?: string) => ({
    recipient: "U061F7AUR",
    conversationId: "C123ABC456",
    text,
    deliveryId: "msg_1:0000",
    replyContext: threadTs ? { threadTs } : undefined,
  });

  it("posts mrkdwn in the thread with the bot token", async () => {
    const { fake, ctx } = setup();
    const result = await slackAdapter.send(out("**hi** & bye", "1515449522.000016"), ctx);
    expect(result).toMatchObject({ ok: true, platformMessageId: expect.stringMatching(/^\d+\.\d{6}$/) });
    expect(fake.state.posted).toEqual([expect.objectContaining({ channel: "C123ABC456", text: "*hi* &amp; bye", thread_ts: "1515449522.000016" })]);
  });

  it("maps HTTP 429 to a retry after Retry-After, transient error codes to retries, the rest to failures", async () => {
    const { fake, ctx } = setup();
    fake.failNext("chat.postMessage", { status: 429, retryAfterSeconds: 2, error: "ratelimited" });
    expect(await slackAdapter.send(out("x"), ctx)).toMatchObject({ ok: false, retryable: true, retryAfterMs: 2000 });
    fake.failNext("chat.postMessage", { status: 200, error: "internal_error" });
    expect(await slackAdapter.send(out("x"), ctx)).toMatchObject({ ok: false, retryable: true });
    fake.failNext("chat.postMessage", { status: 200, error: "not_in_channel" });
    expect(await slackAdapter.send(out("x"), ctx)).toMatchObject({ ok: false, retryable: false, error: "Slack HTTP 200: not_in_channel" });
    const badToken = { ...ctx, config: { ...ctx.config, botToken: "xoxb-wrong" } };
    expect(await slackAdapter.send(out("x"), badToken)).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining("invalid_auth") });
  });

  it("splits a long reply under Slack's recommended limit", async () => {
    const { fake, ctx } = setup();
    const chunks = splitText("lorem ipsum dolor ".repeat(800), slackAdapter.maxMessageLength);
    expect(chunks.length).toBe(4);
    for (const chunk of chunks) expect((await slackAdapter.send(out(chunk), ctx)).ok).toBe(true);
    expect(fake.state.posted.every((p) => p.text.length <= 4000)).toBe(true);
  });

  it("setup checks the bot token and gives the Request URL to paste", async () => {
    const { ctx } = setup();
    const result = await slackAdapter.setup!(ctx);
    expect(result.ok).toBe(true);
    expect(result.steps.join("\n")).toContain("https://gw.example/hooks/ch_slack");
    const refused = await slackAdapter.setup!({ ...ctx, config: { ...ctx.config, botToken: "xoxb-wrong" } });
    expect(refused).toMatchObject({ ok: false, steps: [expect.stringContaining("invalid_auth")] });
  });
});
