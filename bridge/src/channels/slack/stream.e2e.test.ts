/**
 * Streamed Slack replies on the Socket Mode channel, end to end (docs/streaming.md, bridge
 * channels): the gateway (`npm start`, with a fake Messages API that writes slowly), the bridge
 * with bolt pointed at the fake Socket Mode and Web API, which keeps every message's text and
 * answers 429 past Slack's tier-3 rate for chat.update. The answer is posted once, grows by
 * chat.update, and its last update is the finished reply; also across a bridge SIGKILLed
 * mid-answer and started again.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import messageIm from "../../../../src/channels/slack/fixtures/message-im.json";
import { startFakeAnthropic, type FakeAnthropic } from "../../../../test/fakes/anthropic-messages";
import { type BridgeProcess, startBridge } from "../../../../test/support/bridge-process";
import { keepLogs } from "../../../../test/support/e2e-logs";
import { type GatewayProcess, removeState, setupAdmin, startGateway, waitFor } from "../../../../test/support/gateway-process";
import { type SlackSocketModeFake, startSlackSocketModeFake } from "./fake-socket-mode";

const PORT = 10803;
const KEY = "sk-ant-e2e-slack-socket-stream-2c7a";
const BOT_TOKEN = "xoxb-e2e-socket-stream-0000-fake";
const APP_TOKEN = "xapp-1-A0FAKEAPP1-0000-stream";
const DM = messageIm.event.channel;

/** Plain words (no Markdown, so mrkdwn is the same text) long enough for several updates. */
const answer = (topic: string) =>
  `Here is what I know about ${topic}. ` + Array.from({ length: 8 }, (_, i) => `Point ${i + 1}: ${topic} matters because of reason number ${i + 1}.`).join(" ");

describe("streamed Slack replies through the Socket Mode bridge", () => {
  let slack: SlackSocketModeFake;
  let model: FakeAnthropic;
  let gw: GatewayProcess;
  let bridge: BridgeProcess;
  let bridgeToken: string;
  const dataDir = mkdtempSync(join(tmpdir(), "loopgate-bridge-slack-stream-"));
  const runBridge = () => startBridge({ url: gw.url, token: bridgeToken, dataDir });
  let seq = 0;

  /** A DM to the bot; returns its ts. */
  const say = (text: string) => {
    const ts = `${1_700_000_000 + ++seq}.000100`;
    slack.deliver({ ...messageIm, event_id: `Ev0STREAM${seq}`, event: { ...messageIm.event, ts, event_ts: ts, text } });
    return ts;
  };
  const postedSince = (count: number) => slack.web.state.posted.filter((p) => p.channel === DM).slice(count);
  const updatesOf = (ts: string) => slack.web.state.updates.filter((u) => u.ts === ts);
  const finished = async (before: number, text: string) => {
    await waitFor(async () => postedSince(before).some((p) => slack.web.shownText(p.ts) === text), 90_000, "the finished answer");
    return postedSince(before)[0]!;
  };

  beforeAll(async () => {
    model = await startFakeAnthropic({ apiKey: KEY });
    slack = await startSlackSocketModeFake({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
    gw = await startGateway({
      port: PORT,
      env: { API_RATE_LIMIT_PER_MINUTE: "100000", ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: model.url, AGENT_RETRY_BASE_MS: "50" },
    });
    const { api } = await setupAdmin(gw);
    const created = await api<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: "slack-stream" });
    bridgeToken = created.body.token;
    const ch = await api<{ channel: { id: string } }>("POST", "/api/channels", {
      type: "slack-socket",
      name: "Slack (Socket Mode)",
      policy: "open",
      config: { bridgeId: created.body.bridge.id, botToken: BOT_TOKEN, appToken: APP_TOKEN, apiBase: slack.apiUrl },
    });
    expect(ch.status, JSON.stringify(ch.body)).toBe(201);
    bridge = runBridge();
    const status = async () => (await api<{ channel: { status: string } }>("GET", `/api/channels/${ch.body.channel.id}`)).body.channel.status;
    await waitFor(async () => (await status()) === "connected", 30_000, "slack-socket channel connected");
  });

  afterAll(async () => {
    keepLogs({ "bridge-slack-stream.log": bridge?.output(), "gateway-slack-stream.log": gw?.output() });
    await bridge?.stop();
    await gw?.stop();
    await slack?.close();
    await model?.close();
    if (gw) removeState(gw.stateDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("posts the answer once, grows it by chat.update at Slack's pace, and ends on the finished reply", async () => {
    const full = answer("rivers");
    model.enqueue({ kind: "text", text: full, deltaDelayMs: 120 });
    const before = postedSince(0).length;
    say("tell me about rivers");
    const message = await finished(before, full);
    expect(postedSince(before)).toHaveLength(1);
    // The post was a start of the answer; the updates longer starts of it, the last the whole.
    expect(message.text.length).toBeLessThan(full.length);
    expect(full.startsWith(message.text)).toBe(true);
    const updates = updatesOf(message.ts);
    expect(updates.length).toBeGreaterThanOrEqual(2);
    for (const u of updates) expect(full.startsWith(u.text)).toBe(true);
    expect(updates.at(-1)?.text).toBe(full);
    for (let i = 1; i < updates.length; i++) expect(updates[i]!.at - updates[i - 1]!.at).toBeGreaterThanOrEqual(1200);
  });

  it("finishes the same message after the bridge is SIGKILLed mid-answer and restarted", async () => {
    const full = answer("glaciers");
    model.enqueue({ kind: "text", text: full, deltaDelayMs: 250 });
    const before = postedSince(0).length;
    say("tell me about glaciers");
    await waitFor(async () => postedSince(before).length === 1, 30_000, "the first part of the answer");
    const killedAt = Date.now();
    await bridge.kill();
    bridge = runBridge();
    const message = await finished(before, full);
    expect(postedSince(before)).toHaveLength(1);
    expect(updatesOf(message.ts).some((u) => u.at > killedAt && u.text === full)).toBe(true);
  });
});
