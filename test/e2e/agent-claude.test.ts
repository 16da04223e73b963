/**
 * The Claude runtime end to end: `npm start` with ANTHROPIC_BASE_URL pointing the real SDK
 * (inside workerd) at the fake Messages API. A conversation whose later turns read most of
 * their prompt from the cache, a tool loop, notes that survive compaction, each error path
 * as the sender and the admin see it, and /api/usage adding up to the calls the fake served.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic, type RecordedRequest } from "../fakes/anthropic-messages";
import { apiClient, removeState, setupAdmin, startGateway, waitFor, type GatewayProcess } from "../support/gateway-process";
import { startReceiver } from "../support/http-receiver";
import { postWebhook } from "../support/signed-webhook";

const PORT = 8720;
const KEY = "sk-ant-e2e-4f1c2b";

type Api = ReturnType<typeof apiClient>;
type ChatReply = { status: string; reply: string; runId: string | null; kind: string };

describe("Claude runtime through the gateway", () => {
  let fake: FakeAnthropic;
  let gw: GatewayProcess;
  let api: Api;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  const chat = async (text: string) => {
    const res = await api<ChatReply>("POST", "/api/chat?wait=60", { text });
    expect(res.status).toBe(200);
    return res.body;
  };
  const system = (r: RecordedRequest) => JSON.stringify(r.body.system);

  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY, minCacheableTokens: 256 });
    receiver = await startReceiver();
    gw = await startGateway({
      port: PORT,
      env: {
        ANTHROPIC_API_KEY: KEY,
        ANTHROPIC_BASE_URL: fake.url,
        AGENT_RETRY_BASE_MS: "50",
        AGENT_HISTORY_TOKEN_BUDGET: "1200",
        DELIVERY_RETRY_BASE_MS: "100",
      },
    });
    api = (await setupAdmin(gw)).api;
  });
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await receiver?.close();
    if (gw) removeState(gw.stateDir);
  });

  it("reports the Claude runtime on /api/health/details", async () => {
    const health = await api<{ model: { mode: string; name: string } }>("GET", "/api/health/details");
    expect(health.body.model).toEqual({ mode: "anthropic", name: "claude-sonnet-5-5" });
  });

  it("holds a conversation whose later turns read more and more of the prompt from the cache", async () => {
    const before = fake.requests.length;
    const texts = [
      "Hi! I'm planning a vegetable garden.",
      "Which vegetables grow well in shade?",
      "How often should I water lettuce?",
      "Thanks, and when do I plant garlic?",
    ];
    for (const text of texts) expect((await chat(text)).reply).toMatch(/^Answer #\d+: you said "/);
    const turns = fake.requests.slice(before);
    expect(turns).toHaveLength(4);
    const reads = turns.map((r) => Number(r.usage!.cache_read_input_tokens));
    expect(reads[0]).toBe(0);
    for (let i = 1; i < reads.length; i++) expect(reads[i]!).toBeGreaterThan(reads[i - 1]!);
    for (let i = 0; i + 1 < turns.length; i++) expect(turns[i + 1]!.cache!.canonical.startsWith(turns[i]!.cache!.cachedPrefix)).toBe(true);
    expect(reads[3]! / turns[3]!.cache!.totalTokens).toBeGreaterThan(0.7);
    // The key travelled as the API expects and never appears in what the gateway returns.
    expect(turns[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    const runs = await api<{ runs: { model: string; status: string; inputTokens: number }[] }>("GET", "/api/runs?limit=4");
    expect(runs.body.runs.every((r) => r.status === "ok" && r.model === "claude-sonnet-5-5")).toBe(true);
    expect(JSON.stringify(runs.body)).not.toContain(KEY);
  });

  it("runs a tool loop for the admin and answers with the tool's result", async () => {
    const before = fake.requests.length;
    const reply = await chat("What time is it right now?");
    expect(reply.reply).toMatch(/^Tool results: \{"utc":"20\d\d-/);
    expect(fake.requests.length - before).toBe(2);
    const calls = await api<{ calls: { runId: string; stopReason: string }[] }>("GET", `/api/usage/calls?runId=${reply.runId}`);
    expect(calls.body.calls.map((c) => c.stopReason).sort()).toEqual(["end_turn", "tool_use"]);
  });

  it("honours a 429's retry-after and retries 529 and 500 before answering", async () => {
    fake.enqueue({ kind: "error", status: 429, retryAfter: 1 }, { kind: "error", status: 529 }, { kind: "error", status: 500 });
    const before = fake.requests.length;
    const reply = await chat("Are you there?");
    expect(reply.reply).toMatch(/^Answer #/);
    const attempts = fake.requests.slice(before);
    expect(attempts.map((r) => r.status)).toEqual([429, 529, 500, 200]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(1000);
    const retries = await api<{ events: { detail: { runId: string } }[] }>("GET", "/api/events?kind=agent.retry&limit=10");
    expect(retries.body.events.filter((e) => e.detail.runId === reply.runId)).toHaveLength(3);
  });

  it("does not retry a 401: the sender is told plainly, the run is failed and the admin sees why", async () => {
    fake.enqueue({ kind: "error", status: 401 });
    const before = fake.requests.length;
    const reply = await chat("Hello?");
    expect(fake.requests.length - before).toBe(1);
    expect(reply.reply).toBe("Sorry, the assistant is unavailable right now. The administrator has been notified; please try again later.");
    const failed = await api<{ runs: { id: string; error: string }[] }>("GET", "/api/runs?status=failed");
    expect(failed.body.runs.find((r) => r.id === reply.runId)?.error).toMatch(/^401 authentication_error invalid x-api-key/);
    const events = await api<{ events: { detail: { runId: string; adminAction: boolean } }[] }>("GET", "/api/events?kind=agent.unavailable");
    expect(events.body.events.find((e) => e.detail.runId === reply.runId)?.detail.adminAction).toBe(true);
  });

  it("does not retry a spend-limit 429 without retry-after", async () => {
    fake.enqueue({ kind: "error", status: 429, errorCode: "enforced_spend_limit_reached", message: "You have reached your specified API usage limits." });
    const before = fake.requests.length;
    const reply = await chat("One more?");
    expect(fake.requests.length - before).toBe(1);
    expect(reply.reply).toContain("unavailable");
  });

  it("recovers from a stream that breaks after the 200: the sender gets exactly one answer", async () => {
    fake.enqueue({ kind: "break" });
    const before = fake.requests.length;
    const reply = await chat("Tell me about compost.");
    expect(fake.requests.slice(before).map((r) => r.answered)).toEqual(["break", "text"]);
    expect(reply.reply).toMatch(/^Answer #\d+: you said "Tell me about compost."$/);
    const out = await api<{ messages: { direction: string; runId: string }[] }>("GET", "/api/messages?channelId=web&limit=50");
    expect(out.body.messages.filter((m) => m.direction === "out" && m.runId === reply.runId)).toHaveLength(1);
  });

  it("keeps a paired sender's note across compaction of a long conversation", async () => {
    const ch = await api<{ channel: { id: string; inboundUrl: string }; generatedSecrets: { secret: string } }>("POST", "/api/channels", {
      type: "webhook",
      name: "garden-club",
      policy: "allowlist",
      allowlist: ["ana"],
      config: { callbackUrl: `${receiver.url}/replies` },
    });
    const { inboundUrl } = ch.body.channel;
    const secret = ch.body.generatedSecrets.secret;
    let n = 0;
    const say = async (text: string) => {
      const count = receiver.received.length;
      const res = await postWebhook(inboundUrl, secret, { messageId: `m-${++n}`, sender: { id: "ana", name: "Ana" }, text });
      expect(res.status).toBe(200);
      await waitFor(async () => receiver.received.length > count, 60_000, "a reply");
      return (JSON.parse(receiver.received.at(-1)!.body) as { text: string }).text;
    };
    expect(await say("Please remember that my plot is number 17")).toBe("Tool results: saved");
    const start = fake.requests.length;
    for (let i = 0; i < 6; i++) await say(`Update ${i}: ${"the tomatoes are growing tall and the beans need support ".repeat(20)}`);
    const compaction = fake.requests.slice(start).find((r) => system(r).includes("running memory of a conversation"));
    expect(compaction).toBeDefined();
    const events = await api<{ events: { channelId: string; detail: { compactedTurns: number } }[] }>(
      "GET",
      `/api/events?kind=agent.compacted&channelId=${ch.body.channel.id}`,
    );
    expect(events.body.events.length).toBeGreaterThan(0);
    const last = fake.requests.at(-1)!;
    expect(system(last)).toContain("Summary: the person said");
    expect(system(last)).toContain("my plot is number 17");
    // The sender is paired (allowlist), so the side-effecting tools were offered.
    expect((last.body.tools as { name: string }[]).map((t) => t.name)).toEqual(["current_time", "recall", "remember_note", "schedule_job"]);

    expect(await say("Could you schedule a daily watering reminder")).toContain('"scheduled":"job_');
    const jobs = await api<{ jobs: { name: string; cron: string; timezone: string; deliverTo: { channelId: string; recipient: string } }[] }>(
      "GET",
      "/api/jobs",
    );
    expect(jobs.body.jobs).toContainEqual(
      expect.objectContaining({
        name: "daily watering reminder",
        cron: "0 8 * * *",
        timezone: "Europe/Lisbon",
        deliverTo: { channelId: ch.body.channel.id, recipient: "ana" },
      }),
    );
  });

  it("adds up, in /api/usage, exactly the calls the fake served", async () => {
    const usage = await api<{ totals: Record<string, number> }>("GET", "/api/usage");
    const sum = (f: (r: RecordedRequest) => number) => fake.requests.reduce((s, r) => s + f(r), 0);
    const u = (r: RecordedRequest, k: string) => Number(r.usage?.[k] ?? 0);
    expect(usage.body.totals.calls).toBe(fake.requests.length);
    expect(usage.body.totals.errors).toBe(fake.requests.filter((r) => r.status !== 200 || r.answered === "break").length);
    expect(usage.body.totals.inputTokens).toBe(sum((r) => u(r, "input_tokens")));
    expect(usage.body.totals.cacheReadTokens).toBe(sum((r) => u(r, "cache_read_input_tokens")));
    expect(usage.body.totals.cacheWriteTokens).toBe(sum((r) => u(r, "cache_creation_input_tokens")));
    // A broken stream only got as far as message_start, which reports output_tokens 1.
    expect(usage.body.totals.outputTokens).toBe(sum((r) => (r.answered === "break" ? 1 : u(r, "output_tokens"))));
    const cache = await api<{ savedUsd: number; hitRatio: number }>("GET", "/api/usage/cache");
    expect(cache.body.savedUsd).toBeGreaterThan(0);
    expect(cache.body.hitRatio).toBeGreaterThan(0.3);
    const daily = await api<{ days: { calls: number }[] }>("GET", "/api/usage/daily");
    expect(daily.body.days.reduce((s, d) => s + d.calls, 0)).toBe(fake.requests.length);
  });
});
