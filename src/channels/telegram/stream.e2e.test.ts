/**
 * Streamed replies on Telegram, end to end: `npm start` with the real SDK pointed at a fake
 * Messages API that writes slowly, and grammY at the fake Bot API, which keeps every message's
 * text and refuses edits that come faster than one a second per chat (429) or change nothing
 * (400). The answer is posted once, grows by edits, and its last edit is the finished reply;
 * the same holds when the model's stream breaks and is retried, and when the gateway is
 * stopped in the middle of the answer and started again.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../../../test/fakes/anthropic-messages";
import { serveFake } from "../../../test/fakes/http-fake-server";
import { removeState, setupAdmin, startGateway, waitFor, type GatewayProcess } from "../../../test/support/gateway-process";
import { createChannelWithSetup } from "../../../test/support/platform-gateway";
import { createTelegramFake } from "./fake-bot-api";
import textPrivate from "./fixtures/text-private.json";

const PORT = 9800;
const KEY = "sk-ant-e2e-stream-41c2";
const TOKEN = "444555666:AAStreamE2eTokenForLoopgateTests";
const CHAT = String(textPrivate.message.chat.id);

/** A plain answer (no Markdown, so Telegram HTML is the same text) long enough for several edits. */
const answer = (topic: string) =>
  `Here is what I know about ${topic}. ` + Array.from({ length: 8 }, (_, i) => `Point ${i + 1}: ${topic} matters because of reason number ${i + 1}.`).join(" ");

describe("streamed replies on Telegram, end to end", () => {
  const telegram = createTelegramFake({ token: TOKEN });
  let anthropic: FakeAnthropic;
  let fake: Awaited<ReturnType<typeof serveFake>>;
  let gw: GatewayProcess;
  let env: Record<string, string>;
  let nextId = 7000;

  beforeAll(async () => {
    anthropic = await startFakeAnthropic({ apiKey: KEY });
    fake = await serveFake(telegram.handle);
    env = { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: anthropic.url, AGENT_RETRY_BASE_MS: "50" };
    gw = await startGateway({ port: PORT, env });
    const { api } = await setupAdmin(gw);
    await createChannelWithSetup(api, { type: "telegram", name: "Streaming", policy: "open", config: { botToken: TOKEN, apiBase: fake.url } });
  });
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await anthropic?.close();
    if (gw) removeState(gw.stateDir);
  });

  const say = async (text: string) => {
    const update = structuredClone(textPrivate);
    update.update_id = nextId;
    update.message.message_id = nextId++;
    update.message.text = text;
    expect((await telegram.deliver(update)).status).toBe(200);
    return update.message.message_id;
  };
  /** The messages the bot posted in answer to `messageId` (there must be exactly one). */
  const answersTo = (messageId: number) => telegram.state.sent.filter((s) => s.reply_parameters?.message_id === messageId);
  const finished = async (messageId: number, text: string) => {
    await waitFor(async () => answersTo(messageId).some((s) => telegram.shownText(s.message_id) === text), 60_000, `the finished answer to ${messageId}`);
    return answersTo(messageId)[0]!;
  };
  const editsOf = (id: number) => telegram.state.edits.filter((e) => e.message_id === id);
  const throttled = () => telegram.state.calls.filter((c) => c.method === "editMessageText").length - telegram.state.edits.length;

  it("posts the answer once, grows it by edits at most one a second, and ends on the finished reply", async () => {
    const full = answer("rivers");
    anthropic.enqueue({ kind: "text", text: full, deltaDelayMs: 120 });
    const asked = await say("tell me about rivers");
    const message = await finished(asked, full);

    expect(answersTo(asked)).toHaveLength(1);
    // The first post was a part of the answer, not all of it, and later edits were longer parts of it.
    expect(message.text.length).toBeLessThan(full.length);
    expect(full.startsWith(message.text)).toBe(true);
    const edits = editsOf(message.message_id);
    expect(edits.length).toBeGreaterThanOrEqual(2);
    for (const e of edits.slice(0, -1)) expect(full.startsWith(e.text.replace(/…$/, ""))).toBe(true);
    expect(edits.at(-1)).toMatchObject({ text: full, parse_mode: "HTML" });
    // Paced to Telegram's limit: no edit came within a second of the previous change.
    for (let i = 1; i < edits.length; i++) expect(edits[i]!.at - edits[i - 1]!.at).toBeGreaterThanOrEqual(1000);
    expect(throttled()).toBe(0);
    // "typing…" was shown while the turn ran.
    expect(telegram.state.chatActions).toContainEqual({ chat_id: CHAT, action: "typing" });
  });

  it("keeps one message when the model's stream breaks mid-answer and the request is retried", async () => {
    const full = answer("lakes");
    anthropic.enqueue({ kind: "break", text: full, afterDeltas: 14, deltaDelayMs: 120 }, { kind: "text", text: full, deltaDelayMs: 60 });
    const asked = await say("tell me about lakes");
    const message = await finished(asked, full);
    expect(answersTo(asked)).toHaveLength(1);
    // The broken attempt had already shown part of the answer in this very message.
    expect(message.text.length).toBeLessThan(full.length);
    expect(editsOf(message.message_id).at(-1)?.text).toBe(full);
  });

  it("keeps one message when a 429 on an edit is waited out", async () => {
    const full = answer("seas");
    telegram.failNext("editMessageText", {
      status: 429,
      body: { ok: false, error_code: 429, description: "Too Many Requests: retry after 2", parameters: { retry_after: 2 } },
    });
    anthropic.enqueue({ kind: "text", text: full, deltaDelayMs: 100 });
    const asked = await say("tell me about seas");
    const message = await finished(asked, full);
    expect(answersTo(asked)).toHaveLength(1);
    expect(editsOf(message.message_id).at(-1)?.text).toBe(full);
  });

  it("finishes the same message after the gateway is stopped mid-answer and started again", async () => {
    const full = answer("glaciers");
    // Slow enough that the gateway is stopped while the model is still writing; the re-run turn answers at once.
    anthropic.enqueue({ kind: "text", text: full, deltaDelayMs: 400 }, { kind: "text", text: full, deltaDelayMs: 30 });
    const asked = await say("tell me about glaciers");
    await waitFor(async () => answersTo(asked).length === 1, 30_000, "the first part of the answer");
    const stoppedAt = Date.now();
    await gw.stop();
    gw = await startGateway({ port: PORT, stateDir: gw.stateDir, env });

    const message = await finished(asked, full);
    expect(answersTo(asked)).toHaveLength(1);
    expect(editsOf(message.message_id).some((e) => e.at > stoppedAt && e.text === full)).toBe(true);
    // The turn really ran again after the restart (the first stream was cut off with the gateway).
    expect(anthropic.answered().filter((r) => r.at > stoppedAt).length).toBeGreaterThanOrEqual(1);
  });
});
