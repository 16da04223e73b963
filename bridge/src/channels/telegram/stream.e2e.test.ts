/**
 * Streamed Telegram replies on the long-polling channel, end to end (docs/streaming.md, bridge
 * channels): the gateway (`npm start`, with a fake Messages API that writes slowly), the bridge
 * and grammY pointed at the fake Bot API, which keeps every message's text and refuses edits
 * faster than one a second per chat (429) or that change nothing (400). The answer is posted
 * once, grows by editMessageText, and its last edit is the finished reply; the same holds when
 * the bridge is SIGKILLed in the middle of the answer and started again.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTelegramFake } from "../../../../src/channels/telegram/fake-bot-api";
import textPrivate from "../../../../src/channels/telegram/fixtures/text-private.json";
import { startFakeAnthropic, type FakeAnthropic } from "../../../../test/fakes/anthropic-messages";
import { serveFake } from "../../../../test/fakes/http-fake-server";
import { type BridgeGatewayParts, startBridgeGateway, stopBridgeGateway, telegramPollingChannel } from "../../../../test/support/bridge-gateway";
import type { BridgeProcess } from "../../../../test/support/bridge-process";
import { waitFor } from "../../../../test/support/gateway-process";

const PORT = 10802;
const KEY = "sk-ant-e2e-tg-poll-stream-8b3f";
const TOKEN = "555666777:AAPollingStreamE2eTokenForLoopgate";

/** A plain answer (no Markdown, so Telegram HTML is the same text) long enough for several edits. */
const answer = (topic: string) =>
  `Here is what I know about ${topic}. ` + Array.from({ length: 8 }, (_, i) => `Point ${i + 1}: ${topic} matters because of reason number ${i + 1}.`).join(" ");

describe("streamed Telegram replies through the polling bridge", () => {
  const telegram = createTelegramFake({ token: TOKEN });
  let server: Awaited<ReturnType<typeof serveFake>>;
  let model: FakeAnthropic;
  let bridge: BridgeProcess;
  let runBridge: () => BridgeProcess;
  const parts: BridgeGatewayParts = {
    dataDir: mkdtempSync(join(tmpdir(), "loopgate-bridge-telegram-stream-")),
    logNames: { bridge: "bridge-telegram-stream.log", gateway: "gateway-telegram-stream.log" },
    fakes: [],
  };
  let nextId = 31_000;

  const say = (text: string) => {
    const update = structuredClone(textPrivate);
    update.update_id = nextId;
    update.message.message_id = nextId++;
    update.message.text = text;
    telegram.enqueue(update);
    return update.message.message_id;
  };
  const answersTo = (messageId: number) => telegram.state.sent.filter((s) => s.reply_parameters?.message_id === messageId);
  const editsOf = (id: number) => telegram.state.edits.filter((e) => e.message_id === id);
  const finished = async (messageId: number, text: string) => {
    await waitFor(async () => answersTo(messageId).some((s) => telegram.shownText(s.message_id) === text), 90_000, `the finished answer to ${messageId}`);
    return answersTo(messageId)[0]!;
  };

  beforeAll(async () => {
    model = await startFakeAnthropic({ apiKey: KEY });
    parts.fakes.push(model);
    server = await serveFake(telegram.handle);
    parts.fakes.push(server);
    const started = await startBridgeGateway(
      {
        port: PORT,
        env: { API_RATE_LIMIT_PER_MINUTE: "100000", ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: model.url, AGENT_RETRY_BASE_MS: "50" },
        bridgeName: "tg-stream",
        channels: (bridgeId) => [telegramPollingChannel(bridgeId, TOKEN, server.url)],
      },
      parts,
    );
    ({ bridge, runBridge } = started);
    const { api, channels } = started;
    const status = async () => (await api<{ channel: { status: string } }>("GET", `/api/channels/${channels[0]!.channel.id}`)).body.channel.status;
    await waitFor(async () => (await status()) === "connected", 30_000, "telegram-polling channel connected");
  });

  afterAll(() => stopBridgeGateway(parts));

  it("posts the answer once, grows it by edits at most one a second, and ends on the finished reply", async () => {
    const full = answer("rivers");
    model.enqueue({ kind: "text", text: full, deltaDelayMs: 120 });
    const asked = say("tell me about rivers");
    const message = await finished(asked, full);
    expect(answersTo(asked)).toHaveLength(1);
    // The first post was a part of the answer; later edits were longer parts of it, the last the whole.
    expect(message.text.length).toBeLessThan(full.length);
    expect(full.startsWith(message.text)).toBe(true);
    const edits = editsOf(message.message_id);
    expect(edits.length).toBeGreaterThanOrEqual(2);
    for (const e of edits.slice(0, -1)) expect(full.startsWith(e.text)).toBe(true);
    expect(edits.at(-1)).toMatchObject({ text: full, parse_mode: "HTML" });
    // Paced to Telegram's limit by the bridge: no edit within a second of the previous change, none refused.
    for (let i = 1; i < edits.length; i++) expect(edits[i]!.at - edits[i - 1]!.at).toBeGreaterThanOrEqual(1000);
    expect(telegram.state.calls.filter((c) => c.method === "editMessageText").length).toBe(telegram.state.edits.length);
  });

  it("finishes the same message after the bridge is SIGKILLed mid-answer and restarted", async () => {
    const full = answer("glaciers");
    model.enqueue({ kind: "text", text: full, deltaDelayMs: 250 });
    const asked = say("tell me about glaciers");
    await waitFor(async () => answersTo(asked).length === 1, 30_000, "the first part of the answer");
    const killedAt = Date.now();
    await bridge.kill();
    bridge = runBridge();
    const message = await finished(asked, full);
    expect(answersTo(asked)).toHaveLength(1);
    expect(editsOf(message.message_id).some((e) => e.at > killedAt && e.text === full)).toBe(true);
  });
});
