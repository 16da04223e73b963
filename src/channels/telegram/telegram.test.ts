import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parsePairCommand } from "../../pipeline/pairing-code";
import { splitText } from "../../lib/split-text";
import { telegramAdapter, type TelegramConfig } from ".";
import { toTelegramHtml } from "./format";
import { normalizeUpdate } from "./update";
import type { ChannelContext } from "../shared/types";
import { createTelegramFake, parseTelegramHtml, tooManyRequests } from "./fake-bot-api";

const TOKEN = "123456789:AAHfakeTokenForTestsOnly_abcdefghijk";
const SECRET = "telegram-secret-token-0123456789";
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), "utf8")) as Record<string, unknown>;
const bot = { id: 123456789, username: "loopgate_test_bot" };

function setup(config: Partial<TelegramConfig> = {}) {
  const fake = createTelegramFake({ token: TOKEN });
  const ctx: ChannelContext<TelegramConfig> = {
    channelId: "ch_tg",
    config: { botToken: TOKEN, secretToken: SECRET, apiBase: "https://tg.fake", ...config },
    publicUrl: "https://gw.example",
    now: Date.now(),
    fetch: async (input, init) => fake.handle(new Request(input, init)),
  };
  return { fake, ctx };
}

const update = (body: unknown, secret: string | null = SECRET) =>
  new Request("https://gw.example/hooks/ch_tg", {
    method: "POST",
    headers: { "content-type": "application/json", ...(secret ? { "x-telegram-bot-api-secret-token": secret } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("Telegram HTML formatting", () => {
  const cases = [
    "a < b && c > d",
    "**bold** and *italic* and `x<y>` and ~~gone~~",
    "```ts\nconst a = b < c && d;\n```",
    "[docs](https://example.com/a_b_c?x=1&y=2) and snake_case_name",
    "```\nunclosed fence <b>",
    "# Title with <html>\n- item *one*",
    '"quotes" & <tags>',
  ];
  it.each(cases)("produces markup Telegram parses: %j", (md) => {
    const parsed = parseTelegramHtml(toTelegramHtml(md));
    expect(parsed).toMatchObject({ ok: true });
  });

  it("escapes what the model writes and turns Markdown into tags", () => {
    expect(toTelegramHtml("a < b & c > d")).toBe("a &lt; b &amp; c &gt; d");
    expect(toTelegramHtml("**bold** *it* `a<b`")).toBe("<b>bold</b> <i>it</i> <code>a&lt;b</code>");
    expect(toTelegramHtml("```js\nif (a < b) {}\n```")).toBe('<pre><code class="language-js">if (a &lt; b) {}</code></pre>');
    expect(toTelegramHtml("[x](https://e.com/a_b_c)")).toBe('<a href="https://e.com/a_b_c">x</a>');
    expect(toTelegramHtml("snake_case_name stays")).toBe("snake_case_name stays");
    expect(toTelegramHtml("```\n<b>open")).toBe("```\n&lt;b&gt;open");
  });
});

describe("Telegram update normalisation (fixtures from Telegram's webhook guide)", () => {
  it("turns a private text message into a message keyed by chat and message id", () => {
    const n = normalizeUpdate(fixture("text-private") as never, bot);
    expect(n).toMatchObject({
      kind: "message",
      message: {
        senderId: "1111111",
        senderName: "Test Firstname Test Lastname",
        conversationId: "1111111",
        platformMessageId: "1111111:1365",
        text: "/start",
        replyContext: { messageId: "1365" },
      },
    });
  });

  it("passes photos as image attachments with the caption, and notes documents and voice", () => {
    const photo = normalizeUpdate(fixture("photo-caption") as never, bot);
    expect(photo).toMatchObject({
      kind: "message",
      message: { text: "What is in this picture?\n[photo]", attachments: [{ type: "image/jpeg", url: "telegram-file:AgACAgQAAxkBAAIBZ2Large" }] },
    });
    expect(normalizeUpdate(fixture("document") as never, bot)).toMatchObject({ message: { text: "[document: Testfile.pdf (application/pdf, 524 KiB)]" } });
    expect(normalizeUpdate(fixture("voice") as never, bot)).toMatchObject({
      message: { text: "[voice message, 5 s]", attachments: [{ type: "audio/ogg", voice: true, durationSeconds: 5, size: 23000 }] },
    });
  });

  it("ignores edits, button callbacks and group chatter; answers mentions and replies to the bot", () => {
    expect(normalizeUpdate(fixture("edited-message") as never, bot).kind).toBe("ignored");
    expect(normalizeUpdate(fixture("callback-query") as never, bot).kind).toBe("ignored");
    expect(normalizeUpdate(fixture("group-chatter") as never, bot)).toMatchObject({ kind: "ignored", reason: "group message not addressed to the bot" });
    expect(normalizeUpdate(fixture("group-mention") as never, bot)).toMatchObject({
      kind: "message",
      message: { text: "what is 2+2?", conversationId: "-1001234567890", senderId: "1111111" },
    });
    expect(normalizeUpdate(fixture("group-reply-to-bot") as never, bot)).toMatchObject({ kind: "message", message: { text: "and 3+3?" } });
    // Without a known username a mention cannot be recognised, but a reply to the bot still can.
    expect(normalizeUpdate(fixture("group-mention") as never, { id: bot.id }).kind).toBe("ignored");
    expect(normalizeUpdate(fixture("group-reply-to-bot") as never, { id: bot.id }).kind).toBe("message");
  });

  it("turns a deep link's /start CODE into /pair CODE and keeps /pair@bot for the pairing stage", () => {
    const withText = (text: string) => ({ ...fixture("text-private"), message: { ...(fixture("text-private").message as object), text } });
    const start = normalizeUpdate(withText("/start ABC234") as never, bot);
    expect(start).toMatchObject({ message: { text: "/pair ABC234" } });
    const pair = normalizeUpdate(withText("/pair@loopgate_test_bot abc-234") as never, bot);
    expect(pair.kind === "message" && parsePairCommand(pair.message.text)).toBe("ABC234");
  });
});

describe("Telegram webhook verification", () => {
  it("accepts an update with the secret token and shows the typing indicator", async () => {
    const { fake, ctx } = setup();
    const result = await telegramAdapter.verify!(update(fixture("text-private")), ctx);
    expect(result).toMatchObject({ kind: "messages", messages: [{ platformMessageId: "1111111:1365" }] });
    expect(fake.state.chatActions).toEqual([{ chat_id: "1111111", action: "typing" }]);
  });

  it("rejects a missing or wrong secret token with 401 before reading the body", async () => {
    const { ctx } = setup();
    expect(await telegramAdapter.verify!(update(fixture("text-private"), null), ctx)).toMatchObject({
      kind: "rejected",
      status: 401,
      error: expect.stringContaining("missing"),
    });
    expect(await telegramAdapter.verify!(update(fixture("text-private"), `${SECRET}x`), ctx)).toMatchObject({
      kind: "rejected",
      status: 401,
      error: "secret token does not match",
    });
    expect(await telegramAdapter.verify!(update("not json"), ctx)).toMatchObject({ kind: "rejected", status: 400 });
    expect(await telegramAdapter.verify!(update({ hello: 1 }), ctx)).toMatchObject({
      kind: "rejected",
      status: 400,
      error: expect.stringMatching(/^body is not a Telegram Update: update_id/),
    });
  });

  it("refuses every request when the channel has no secret token", async () => {
    const { ctx } = setup({ secretToken: undefined });
    expect(await telegramAdapter.verify!(update(fixture("text-private"), SECRET), ctx)).toMatchObject({ kind: "rejected", status: 401 });
  });

  it("answers an ignored group message with a 200 and stores nothing", async () => {
    const { fake, ctx } = setup();
    const result = await telegramAdapter.verify!(update(fixture("group-chatter")), ctx);
    expect(result.kind).toBe("response");
    if (result.kind === "response") expect(result.response.status).toBe(200);
    // The username came from getMe, once.
    expect(fake.state.calls.filter((c) => c.method === "getMe")).toHaveLength(1);
  });

  it("generates a secret token at creation", () => {
    const config = telegramAdapter.prepareConfig!({ botToken: TOKEN });
    expect(config.secretToken).toMatch(/^[\w-]{43}$/);
    expect(telegramAdapter.configSchema.safeParse(config).success).toBe(true);
  });
});

describe("Telegram delivery", () => {
  const out = (text: string) => ({ recipient: "1111111", conversationId: "1111111", text, deliveryId: "msg_1:0000", replyContext: { messageId: "1365" } });

  it("sends HTML as a reply to the message", async () => {
    const { fake, ctx } = setup();
    expect(await telegramAdapter.send(out("**hi** <there>"), ctx)).toMatchObject({ ok: true, platformMessageId: "5000" });
    expect(fake.state.sent[0]).toMatchObject({
      chat_id: "1111111",
      text: "<b>hi</b> &lt;there&gt;",
      parse_mode: "HTML",
      reply_parameters: { message_id: 1365, allow_sending_without_reply: true },
    });
  });

  it("maps 429 to a retry after Telegram's retry_after, other errors by status", async () => {
    const { fake, ctx } = setup();
    fake.failNext("sendMessage", tooManyRequests(3));
    expect(await telegramAdapter.send(out("x"), ctx)).toMatchObject({ ok: false, retryable: true, retryAfterMs: 3000 });
    fake.failNext("sendMessage", { status: 403, body: { ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" } });
    expect(await telegramAdapter.send(out("x"), ctx)).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining("blocked") });
    fake.failNext("sendMessage", { status: 502, body: { ok: false, error_code: 502, description: "Bad Gateway" } });
    expect(await telegramAdapter.send(out("x"), ctx)).toMatchObject({ ok: false, retryable: true });
    const offline = { ...ctx, fetch: async () => Promise.reject(new TypeError("connection refused")) };
    expect(await telegramAdapter.send(out("x"), offline)).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining("network") });
  });

  it("falls back to plain text when Telegram cannot parse the HTML", async () => {
    const { fake, ctx } = setup();
    fake.failNext("sendMessage", {
      status: 400,
      body: { ok: false, error_code: 400, description: "Bad Request: can't parse entities: Unsupported start tag" },
    });
    expect(await telegramAdapter.send(out("**hi**"), ctx)).toMatchObject({ ok: true });
    expect(fake.state.sent[0]).toMatchObject({ text: "**hi**" });
    expect(fake.state.sent[0]?.parse_mode).toBeUndefined();
  });

  it("splits a long reply into chunks Telegram accepts", async () => {
    const { fake, ctx } = setup();
    const chunks = splitText(`${"word ".repeat(2000)}\n\n${"**more** & <less> ".repeat(300)}`, telegramAdapter.maxMessageLength);
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) expect(await telegramAdapter.send(out(chunk), ctx)).toMatchObject({ ok: true });
    expect(fake.state.sent).toHaveLength(chunks.length);
  });
});

describe("Telegram setup", () => {
  it("registers the webhook with the channel's secret and allowed updates", async () => {
    const { fake, ctx } = setup();
    const result = await telegramAdapter.setup!(ctx);
    expect(result.ok).toBe(true);
    expect(fake.state.webhook).toEqual({ url: "https://gw.example/hooks/ch_tg", secret_token: SECRET, allowed_updates: ["message", "callback_query"] });
    expect(fake.state.commands.map((c) => c.command)).toEqual(["pair"]);
  });

  it("reports a refused token", async () => {
    const { ctx } = setup({ botToken: "123456789:wrongTokenWrongToken" });
    expect(await telegramAdapter.setup!(ctx)).toMatchObject({ ok: false, steps: [expect.stringContaining("401 Unauthorized"), expect.any(String)] });
  });
});
