/**
 * Streamed Matrix replies end to end (docs/streaming.md): the gateway (`npm start`, with a fake
 * Messages API that writes slowly), the bridge and the fake homeserver as processes, Alice a real
 * matrix-js-sdk client with the Rust crypto in an encrypted direct message. The answer is posted
 * once and grows by `m.replace` edits, encrypted like any event, the last edit carrying the whole
 * finished reply: one message. The same holds when the homeserver rate-limits the bot
 * (M_LIMIT_EXCEEDED with retry_after_ms, waited out), and when the bridge is SIGKILLed while the
 * answer is being written and started again: it edits the message it wrote down. A streamed
 * message Alice deletes while it is written gets the finished reply posted anew, not lost.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MatrixClient, MatrixEvent } from "matrix-js-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../../../../test/fakes/anthropic-messages";
import type { BridgeProcess } from "../../../../test/support/bridge-process";
import { waitFor } from "../../../../test/support/gateway-process";
import { type MatrixE2eParts, openEncryptedDm, startMatrixE2e, stopMatrixE2e } from "../../../../test/support/matrix-e2e";
import type { MatrixHomeserver } from "../../../../test/support/matrix-homeserver";

const PORT = 10800;
const HOMESERVER_PORT = 10801;
const KEY = "sk-ant-e2e-matrix-stream-5d1e";
const BOT_TOKEN = "syt_bG9vcGJvdA_streambottoken1";
const ALICE_TOKEN = "syt_YWxpY2U_streamalicetoken";

/** Plain words (no Markdown), long enough to take several seconds at 12 characters per 120 ms. */
const answer = (topic: string) =>
  `Here is what I know about ${topic}. ` + Array.from({ length: 9 }, (_, i) => `Point ${i + 1}: ${topic} matters for reason ${i + 1}.`).join(" ");

/** A message of the bot as Alice's client decrypted it: a message of its own, or an edit of one. */
interface BotEvent {
  eventId: string;
  encrypted: boolean;
  /** The edited message, for an edit. */
  replaces?: string;
  /** The text the message shows after this event. */
  text: string;
}

describe("streamed Matrix replies through the bridge", () => {
  let hs: MatrixHomeserver;
  let bridge: BridgeProcess;
  let model: FakeAnthropic;
  let alice: MatrixClient;
  let botId: string;
  let dmRoom: string;
  const seen = new Map<string, BotEvent>();
  const parts: MatrixE2eParts = {
    logNames: { bridge: "bridge-matrix-stream.log", gateway: "gateway-matrix-stream.log" },
    clients: [],
    dataDir: mkdtempSync(join(tmpdir(), "loopgate-bridge-matrix-stream-")),
  };
  let runBridge: () => BridgeProcess;

  const record = (event: MatrixEvent) => {
    const eventId = event.getId();
    if (!eventId || event.getSender() !== botId || event.getType() !== "m.room.message" || event.isDecryptionFailure()) return;
    // The event's own content, not the SDK's view of it after later edits were applied.
    const content = event.getOriginalContent();
    const relation = event.getRelation();
    if (relation?.rel_type === "m.replace") {
      const body = (content["m.new_content"] as { body?: unknown } | undefined)?.body;
      if (typeof body === "string") seen.set(eventId, { eventId, encrypted: event.isEncrypted(), replaces: relation.event_id, text: body });
    } else if (typeof content.body === "string") seen.set(eventId, { eventId, encrypted: event.isEncrypted(), text: content.body });
  };
  /** Messages the bot posted (not edits) since `before` events were seen, with their edits in order. */
  const messagesAfter = (before: number) => {
    const events = [...seen.values()].slice(before);
    return events.filter((e) => !e.replaces).map((m) => ({ ...m, edits: events.filter((e) => e.replaces === m.eventId) }));
  };
  /** Alice asks; resolves once the bot's message for it shows `expected`. */
  const ask = async (question: string, expected: string) => {
    const before = seen.size;
    await alice.sendTextMessage(dmRoom, question);
    await waitFor(async () => messagesAfter(before).some((m) => (m.edits.at(-1)?.text ?? m.text) === expected), 90_000, `the finished answer to "${question}"`);
    return before;
  };

  beforeAll(async () => {
    model = await startFakeAnthropic({ apiKey: KEY });
    parts.model = model;
    const e2e = await startMatrixE2e(
      {
        port: PORT,
        homeserverPort: HOMESERVER_PORT,
        botToken: BOT_TOKEN,
        aliceToken: ALICE_TOKEN,
        bridgeName: "matrix-stream",
        model: { url: model.url, apiKey: KEY },
        record,
      },
      parts,
    );
    ({ hs, alice, botId, bridge, runBridge } = e2e);
    dmRoom = await openEncryptedDm(e2e);
  });

  afterAll(() => stopMatrixE2e(parts));

  it("posts the answer once, grows it by encrypted edits, and makes the finished reply the last edit", async () => {
    const text = answer("otters");
    model.enqueue({ kind: "text", text, deltaDelayMs: 120 });
    const before = await ask("tell me about otters", text);
    const [message, ...others] = messagesAfter(before);
    expect(others).toEqual([]);
    expect(message!.encrypted).toBe(true);
    // Several changes while the model wrote: each a longer start of the answer, the last the whole of it.
    const shown = [message!.text, ...message!.edits.map((e) => e.text)];
    expect(shown.length).toBeGreaterThanOrEqual(3);
    for (const [i, part] of shown.entries()) expect(text.startsWith(part), `change ${i}: ${part}`).toBe(true);
    expect(shown.at(-1)).toBe(text);
    expect(shown.filter((s) => s === text)).toHaveLength(1);
    expect(message!.edits.every((e) => e.encrypted)).toBe(true);
    // The homeserver saw ciphertext only, with the edit relation in the clear as the spec requires.
    const stored = hs.events(dmRoom).filter((e) => e.sender === botId && e.type !== "m.room.member");
    expect(stored.every((e) => e.type === "m.room.encrypted")).toBe(true);
    expect(JSON.stringify(stored)).not.toContain("otters");
    expect(stored.filter((e) => (e.content["m.relates_to"] as { rel_type?: string } | undefined)?.rel_type === "m.replace")).toHaveLength(
      message!.edits.length,
    );
  });

  it("waits out the homeserver's M_LIMIT_EXCEEDED and still ends with one message showing the whole answer", async () => {
    // One send every 4 s after the first: slower than the bridge's pace, so the homeserver answers 429.
    hs.limitSends(botId, { burst: 1, perSecond: 0.25 });
    const limitedBefore = hs.calls.filter((c) => c.status === 429).length;
    const text = answer("badgers");
    model.enqueue({ kind: "text", text, deltaDelayMs: 120 });
    try {
      const before = await ask("tell me about badgers", text);
      const [message, ...others] = messagesAfter(before);
      expect(others).toEqual([]);
      expect(message!.edits.at(-1)?.text).toBe(text);
      expect(hs.calls.filter((c) => c.status === 429 && c.path.includes("/send/")).length).toBeGreaterThan(limitedBefore);
    } finally {
      hs.limitSends(botId, null);
    }
  });

  it("keeps editing the same message after the bridge is SIGKILLed mid-answer and restarted", async () => {
    const text = answer("herons");
    model.enqueue({ kind: "text", text, deltaDelayMs: 250 });
    const before = seen.size;
    await alice.sendTextMessage(dmRoom, "tell me about herons");
    await waitFor(async () => messagesAfter(before).length > 0, 60_000, "the first part of the answer posted");
    await bridge.kill();
    bridge = runBridge();
    await waitFor(async () => messagesAfter(before).some((m) => m.edits.at(-1)?.text === text), 90_000, "the finished answer after the restart");
    const [message, ...others] = messagesAfter(before);
    expect(others).toEqual([]);
    expect(message!.edits.at(-1)?.text).toBe(text);
  });

  it("posts the finished reply anew when the streamed message was deleted while being written", async () => {
    const text = answer("cranes");
    model.enqueue({ kind: "text", text, deltaDelayMs: 200 });
    const before = seen.size;
    await alice.sendTextMessage(dmRoom, "tell me about cranes");
    await waitFor(async () => messagesAfter(before).length > 0, 60_000, "the first part of the answer posted");
    const first = messagesAfter(before)[0]!;
    await alice.redactEvent(dmRoom, first.eventId);
    await waitFor(async () => messagesAfter(before).some((m) => m.eventId !== first.eventId && m.text === text), 90_000, "the whole answer posted anew");
    expect(messagesAfter(before).filter((m) => m.eventId !== first.eventId)).toEqual([expect.objectContaining({ text, encrypted: true })]);
    expect(bridge.logs("streamed message cannot be edited; the reply is posted whole")).toEqual([expect.objectContaining({ messageId: first.eventId })]);
  });
});
