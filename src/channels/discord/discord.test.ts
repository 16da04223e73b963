import { readFileSync } from "node:fs";
import { beforeEach, describe, expect, it } from "vitest";
import { splitText } from "../../lib/split-text";
import { parsePairCommand } from "../../pipeline/pairing-code";
import { discordAdapter, type DiscordConfig } from ".";
import { normalizeInteraction } from "./interaction";
import type { ChannelContext, VerifyResult } from "../shared/types";
import { createDiscordFake, rateLimited, type DiscordFake } from "./fake-api";

const APP_ID = "123456789012345678";
const BOT_TOKEN = "discord-bot-token-for-tests-0123456789";
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), "utf8")) as Record<string, unknown>;

let fake: DiscordFake;
let ctx: ChannelContext<DiscordConfig>;

beforeEach(async () => {
  // The fake's deliveries go straight to the adapter, as if the gateway's hook received them.
  const hook = async (_url: string, init: RequestInit) => respond(await discordAdapter.verify!(new Request("https://gw.example/hooks/ch_dc", init), ctx));
  fake = await createDiscordFake({ applicationId: APP_ID, botToken: BOT_TOKEN, deliverFetch: hook });
  ctx = {
    channelId: "ch_dc",
    config: { applicationId: APP_ID, publicKey: fake.publicKey, botToken: BOT_TOKEN, apiBase: "https://discord.fake/api/v10" },
    publicUrl: "https://gw.example",
    now: Date.now(),
    fetch: async (input, init) => fake.handle(new Request(input, init)),
  };
});

/** What the hook route answers for a VerifyResult. */
function respond(result: VerifyResult): Response {
  if (result.kind === "rejected") return Response.json({ error: result.error }, { status: result.status });
  if (result.kind === "response") return result.response;
  if (result.kind === "approval") throw new Error("Discord has no approval buttons yet");
  return result.ack?.() ?? Response.json({ ok: true });
}

async function signed(body: string, opts: { timestamp?: string; signature?: string } = {}) {
  const timestamp = opts.timestamp ?? String(Math.floor(Date.now() / 1000));
  const signature = opts.signature ?? (await fake.sign(timestamp, body));
  return new Request("https://gw.example/hooks/ch_dc", {
    method: "POST",
    headers: { "x-signature-ed25519": signature, "x-signature-timestamp": timestamp },
    body,
  });
}

describe("Discord interaction normalisation (fixtures from Discord's documentation)", () => {
  it("turns /ask into the prompt and /pair into the pairing command, keyed by interaction id", () => {
    expect(normalizeInteraction(fixture("ask"))).toEqual({
      kind: "message",
      ephemeral: false,
      message: {
        senderId: "53908232506183680",
        senderName: "Mason",
        conversationId: "645027906669510667",
        platformMessageId: "786008729715212338",
        text: "What does the Gitrog Monster do?",
        replyContext: { interactionToken: "A_UNIQUE_TOKEN" },
      },
    });
    const pair = normalizeInteraction(fixture("pair-dm"));
    expect(pair).toMatchObject({ kind: "message", ephemeral: true, message: { senderId: "53908232506183680" } });
    expect(pair.kind === "message" && parsePairCommand(pair.message.text)).toBe("ABC234");
  });

  it("answers PING with PONG and an unknown command with an ephemeral notice", () => {
    expect(normalizeInteraction(fixture("ping"))).toEqual({ kind: "respond", body: { type: 1 } });
    expect(normalizeInteraction(fixture("slash-command-example"))).toMatchObject({
      kind: "respond",
      body: { type: 4, data: { content: "Unknown command /cardsearch.", flags: 64 } },
    });
  });
});

describe("Discord request verification", () => {
  it("accepts a correctly signed /ask and defers the response", async () => {
    const result = await discordAdapter.verify!(await signed(JSON.stringify(fixture("ask"))), ctx);
    expect(result).toMatchObject({ kind: "messages", messages: [{ platformMessageId: "786008729715212338" }] });
    expect(await respond(result).json()).toEqual({ type: 5 });
    const pair = await discordAdapter.verify!(await signed(JSON.stringify(fixture("pair-dm"))), ctx);
    expect(await respond(pair).json()).toEqual({ type: 5, data: { flags: 64 } });
  });

  it("rejects with 401: a signature by another key, a changed body, a changed timestamp, missing headers", async () => {
    const body = JSON.stringify(fixture("ask"));
    const other = await createDiscordFake({ applicationId: APP_ID, botToken: BOT_TOKEN });
    const ts = String(Math.floor(Date.now() / 1000));
    const cases = [
      await signed(body, { signature: await other.sign(ts, body), timestamp: ts }),
      await signed(body, { signature: await fake.sign(ts, body.replace("Gitrog", "gitrog")), timestamp: ts }),
      await signed(body, { signature: await fake.sign(ts, body), timestamp: String(Number(ts) + 1) }),
      await signed(body, { signature: "zz".repeat(64) }),
      new Request("https://gw.example/hooks/ch_dc", { method: "POST", body }),
    ];
    for (const request of cases) expect(await discordAdapter.verify!(request, ctx)).toMatchObject({ kind: "rejected", status: 401 });
  });

  it("answers Discord's PING and its deliberately bad signature when the endpoint URL is saved", async () => {
    const result = await discordAdapter.setup!(ctx);
    expect(result.ok).toBe(true);
    expect(fake.state.endpointUrl).toBe("https://gw.example/hooks/ch_dc");
    expect(fake.state.interactionResponses.map((r) => [r.status, r.body])).toEqual([
      [200, { type: 1 }],
      [401, { error: "invalid request signature" }],
    ]);
    expect(fake.state.commands).toEqual([expect.objectContaining({ name: "ask" }), expect.objectContaining({ name: "pair" })]);
  });

  it("reports a setup Discord refuses", async () => {
    const refused = await discordAdapter.setup!({ ...ctx, config: { ...ctx.config, botToken: "wrong-token-wrong-token-wrong" } });
    expect(refused).toMatchObject({ ok: false, steps: [expect.stringContaining("401"), expect.any(String)] });
    // An endpoint that does not verify signatures fails Discord's check.
    const lax = await createDiscordFake({ applicationId: APP_ID, botToken: BOT_TOKEN, deliverFetch: async () => Response.json({ type: 1 }) });
    const laxResult = await discordAdapter.setup!({ ...ctx, fetch: async (i, init) => lax.handle(new Request(i, init)) });
    expect(laxResult).toMatchObject({ ok: false, steps: [expect.any(String), expect.stringContaining("could not be verified"), expect.any(String)] });
  });
});

describe("Discord delivery", () => {
  const out = (text: string, chunk = 0, token: string | null = "A_UNIQUE_TOKEN") => ({
    recipient: "53908232506183680",
    conversationId: "645027906669510667",
    text,
    deliveryId: `msg_1:${String(chunk).padStart(4, "0")}`,
    replyContext: token ? { interactionToken: token } : undefined,
  });
  const deferAsk = () => fake.deliver("https://gw.example/hooks/ch_dc", fixture("ask"));

  it("edits the deferred response with the first chunk and sends the rest as follow-ups", async () => {
    await deferAsk();
    const chunks = splitText("The Gitrog Monster ".repeat(300), discordAdapter.maxMessageLength);
    expect(chunks.length).toBe(3);
    for (const [i, chunk] of chunks.entries()) expect(await discordAdapter.send(out(chunk, i), ctx)).toMatchObject({ ok: true });
    expect(fake.state.messages.map((m) => m.kind)).toEqual(["original", "followup", "followup"]);
    expect(fake.state.messages[0]).toMatchObject({ token: "A_UNIQUE_TOKEN", allowed_mentions: { parse: [] } });
  });

  it("maps 429 to a retry after retry_after, an unknown token to a permanent failure", async () => {
    await deferAsk();
    fake.failNext(`PATCH /webhooks/${APP_ID}/:token/messages/@original`, rateLimited(0.25));
    expect(await discordAdapter.send(out("hi"), ctx)).toMatchObject({ ok: false, retryable: true, retryAfterMs: 250 });
    expect(await discordAdapter.send(out("hi"), ctx)).toMatchObject({ ok: true });
    expect(await discordAdapter.send(out("hi", 0, "never-deferred"), ctx)).toMatchObject({
      ok: false,
      retryable: false,
      error: expect.stringContaining("50027"),
    });
    fake.failNext(`POST /webhooks/${APP_ID}/:token`, { status: 503, body: { message: "upstream" } });
    expect(await discordAdapter.send(out("more", 1), ctx)).toMatchObject({ ok: false, retryable: true });
  });

  it("sends a DM through the bot when there is no interaction to answer", async () => {
    expect(await discordAdapter.send(out("you are paired", 0, null), ctx)).toMatchObject({ ok: true });
    expect(fake.state.messages).toEqual([expect.objectContaining({ kind: "dm", channel_id: "dm-53908232506183680", content: "you are paired" })]);
  });
});
