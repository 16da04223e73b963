/**
 * Streamed replies on Slack, end to end: `npm start` with the real SDK pointed at a fake
 * Messages API that writes slowly, and a fake Slack Web API that keeps every message's text
 * and answers chat.update like Slack (message_not_found, 429 past tier 3). A mention's answer is
 * posted once in its thread, grows by chat.update, and its last update is the finished reply,
 * also when the model's stream breaks and is retried and when an update is rate limited.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../../../test/fakes/anthropic-messages";
import { setupAdmin, waitFor } from "../../../test/support/gateway-process";
import { createChannelWithSetup, platformGateway } from "../../../test/support/platform-gateway";
import { createSlackFake } from "./fake-web-api";
import appMention from "./fixtures/app-mention.json";
import { SLACK_EDIT_INTERVAL_MS } from "./stream";

const PORT = 9801;
const KEY = "sk-ant-e2e-slack-stream-9e0b";
const BOT_TOKEN = "xoxb-e2e-stream-0000-fake";
const SIGNING_SECRET = "e2e-slack-stream-signing-secret-0123";

/** A plain answer (mrkdwn is the same text) long enough for several updates. */
const answer = (topic: string) =>
  `Here is what I know about ${topic}. ` + Array.from({ length: 8 }, (_, i) => `Point ${i + 1}: ${topic} matters because of reason number ${i + 1}.`).join(" ");

describe("streamed replies on Slack, end to end", () => {
  const slack = createSlackFake({ botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET });
  let anthropic: FakeAnthropic;
  let url = "";
  let next = 100;

  beforeAll(async () => {
    anthropic = await startFakeAnthropic({ apiKey: KEY });
  });
  afterAll(async () => {
    await anthropic?.close();
  });
  const platform = platformGateway({
    port: PORT,
    fake: () => slack.handle,
    env: () => ({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: anthropic.url, AGENT_RETRY_BASE_MS: "50" }),
  });

  beforeAll(async () => {
    const { api } = await setupAdmin(platform.gw);
    const channel = await createChannelWithSetup(api, {
      type: "slack",
      name: "Slack streaming",
      policy: "open",
      config: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiBase: `${platform.fakeUrl}/api` },
    });
    url = channel.inboundUrl;
  });

  /** Mentions the app in a new message; the answer goes to that message's thread. */
  const mention = async (text: string) => {
    const payload = structuredClone(appMention);
    const n = next++;
    payload.event_id = `EvStream${n}`;
    payload.event.ts = `1515449600.${String(n).padStart(6, "0")}`;
    payload.event.text = `<@U0LAN0Z89> ${text}`;
    expect((await slack.deliver(url, payload)).status).toBe(200);
    return payload.event.ts;
  };
  const answersIn = (threadTs: string) => slack.state.posted.filter((p) => p.thread_ts === threadTs);
  const finished = async (threadTs: string, text: string) => {
    await waitFor(async () => answersIn(threadTs).some((p) => slack.shownText(p.ts) === text), 60_000, `the finished answer in ${threadTs}`);
    return answersIn(threadTs)[0]!;
  };
  const updatesOf = (ts: string) => slack.state.updates.filter((u) => u.ts === ts);

  it("posts the answer once in the thread, grows it with chat.update at Slack's pace, and ends on the finished reply", async () => {
    const full = answer("rivers");
    anthropic.enqueue({ kind: "text", text: full, deltaDelayMs: 120 });
    const thread = await mention("tell me about rivers");
    const message = await finished(thread, full);

    expect(answersIn(thread)).toHaveLength(1);
    expect(message.channel).toBe("C123ABC456");
    expect(message.text.length).toBeLessThan(full.length);
    expect(full.startsWith(message.text)).toBe(true);
    const updates = updatesOf(message.ts);
    expect(updates.length).toBeGreaterThanOrEqual(2);
    for (const u of updates.slice(0, -1)) expect(full.startsWith(u.text.replace(/…$/, ""))).toBe(true);
    expect(updates.at(-1)?.text).toBe(full);
    for (let i = 1; i < updates.length; i++) expect(updates[i]!.at - updates[i - 1]!.at).toBeGreaterThanOrEqual(SLACK_EDIT_INTERVAL_MS);
  });

  it("keeps one message when the model's stream breaks mid-answer and when an update is rate limited", async () => {
    const full = answer("lakes");
    slack.failNext("chat.update", { status: 429, retryAfterSeconds: 2, error: "ratelimited" });
    anthropic.enqueue({ kind: "break", text: full, afterDeltas: 14, deltaDelayMs: 120 }, { kind: "text", text: full, deltaDelayMs: 60 });
    const thread = await mention("tell me about lakes");
    const message = await finished(thread, full);
    expect(answersIn(thread)).toHaveLength(1);
    expect(message.text.length).toBeLessThan(full.length);
    expect(updatesOf(message.ts).at(-1)?.text).toBe(full);
    expect(slack.state.calls.filter((c) => c.method === "chat.update").length).toBeGreaterThan(updatesOf(message.ts).length);
  });
});
