/**
 * Budgets and usage analytics in the Worker with real D1 and SenderSession objects: a sender
 * over their daily cap gets one polite notice (no model call) and the admin sees it; the
 * account cap stops everyone; the usage endpoints add up the api_calls rows exactly; and
 * per-channel agent settings are validated and stored.
 */
import { env } from "cloudflare:test";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { budgetReply } from "../../src/agent/budget";
import { adminToken, call, createWebhookChannel, eventually, fakeCallbacks, message, signedPost } from "./helpers";

let token: string;
beforeAll(async () => {
  token = await adminToken();
});
beforeEach(async () => {
  await env.DB.prepare("DELETE FROM api_calls").run();
});

let seq = 0;
async function spend(
  channelId: string,
  senderId: string,
  fields: {
    costUsd?: number;
    inputTokens?: number;
    outputTokens?: number;
    cacheReadTokens?: number;
    cacheWriteTokens?: number;
    model?: string;
    at?: number;
    status?: string;
    cacheSavingsUsd?: number;
  },
) {
  const n = ++seq;
  await env.DB.prepare(
    `INSERT INTO api_calls (id, created_at, channel_id, sender_id, session_id, run_id, purpose, mode, model, input_tokens, output_tokens, cache_write_tokens, cache_read_tokens, latency_ms, stop_reason, status, cost_usd, cache_savings_usd)
     VALUES (?, ?, ?, ?, ?, ?, 'turn', 'direct', ?, ?, ?, ?, ?, 100, 'end_turn', ?, ?, ?)`,
  )
    .bind(
      `run_seed${n}:001`,
      fields.at ?? Date.now(),
      channelId,
      senderId,
      `${channelId}:${senderId}`,
      `run_seed${n}`,
      fields.model ?? "claude-sonnet-5-5",
      fields.inputTokens ?? 0,
      fields.outputTokens ?? 0,
      fields.cacheWriteTokens ?? 0,
      fields.cacheReadTokens ?? 0,
      fields.status ?? "ok",
      fields.costUsd ?? 0,
      fields.cacheSavingsUsd ?? 0,
    )
    .run();
}

describe("budgets", () => {
  let callbacks: ReturnType<typeof fakeCallbacks>;
  beforeEach(() => {
    callbacks = fakeCallbacks();
  });
  afterEach(() => callbacks.restore());

  it("answers a sender over their daily cost cap with one polite notice, runs no model, and tells the admin", async () => {
    const ch = await createWebhookChannel(token, { policy: "open" });
    await spend(ch.id, "spender", { costUsd: 2.5 });
    expect((await signedPost(ch.url, ch.secret, message("spender", "one more please"))).status).toBe(200);
    const reply = await eventually(async () => callbacks.captured.find((c) => c.body.recipient === "spender"));
    expect(reply.body.text).toBe(budgetReply("sender_cost"));
    // Another sender on the same channel is unaffected.
    await signedPost(ch.url, ch.secret, message("frugal", "hello"));
    const other = await eventually(async () => callbacks.captured.find((c) => c.body.recipient === "frugal"));
    expect(other.body.text).toContain("You said: hello");

    const events = await call<{ events: { kind: string; senderId: string; detail: { scope: string; used: number; limit: number } }[] }>(
      "GET",
      `/api/events?kind=budget.exceeded&channelId=${ch.id}`,
      undefined,
      token,
    );
    expect(events.body.events).toEqual([
      expect.objectContaining({ senderId: "spender", detail: expect.objectContaining({ scope: "sender_cost", used: 2.5, limit: 2 }) }),
    ]);
    const inbound = await env.DB.prepare("SELECT outcome, run_id FROM messages WHERE channel_id = ? AND sender_id = 'spender' AND direction = 'in'")
      .bind(ch.id)
      .first<{ outcome: string; run_id: string | null }>();
    expect(inbound).toEqual({ outcome: "over_budget", run_id: null });
  });

  it("counts tokens too: uncached input, cache writes and output, not cache reads", async () => {
    const ch = await createWebhookChannel(token, { policy: "open" });
    await spend(ch.id, "reader", { cacheReadTokens: 5_000_000, inputTokens: 100 });
    await spend(ch.id, "writer", { inputTokens: 100_000, cacheWriteTokens: 150_000, outputTokens: 50_000 });
    await signedPost(ch.url, ch.secret, message("reader", "hi"));
    await signedPost(ch.url, ch.secret, message("writer", "hi"));
    const replies = await eventually(async () => (callbacks.captured.length >= 2 ? callbacks.captured : undefined));
    const text = (who: string) => replies.find((c) => c.body.recipient === who)?.body.text;
    expect(text("reader")).toContain("You said: hi");
    expect(text("writer")).toBe(budgetReply("sender_tokens"));
  });

  it("pauses everyone once the account-wide daily cost cap is reached, and yesterday's spend does not count", async () => {
    const ch = await createWebhookChannel(token, { policy: "open" });
    await spend("elsewhere", "big", { costUsd: 45, at: Date.now() - 86_400_000 });
    await signedPost(ch.url, ch.secret, message("anyone", "hi"));
    await eventually(async () => callbacks.captured.find((c) => c.body.recipient === "anyone"));
    expect(callbacks.captured[0]!.body.text).toContain("You said: hi");
    for (let i = 0; i < 26; i++) await spend(`elsewhere-${i}`, "s", { costUsd: 1.99 });
    await signedPost(ch.url, ch.secret, message("anyone", "again"));
    const notice = await eventually(async () => callbacks.captured.find((c) => c.body.text !== callbacks.captured[0]!.body.text));
    expect(notice.body.text).toBe(budgetReply("account_cost"));
    const usage = await call<{ budgets: { accountPaused: boolean; accountCostTodayUsd: number } }>("GET", "/api/usage", undefined, token);
    expect(usage.body.budgets.accountPaused).toBe(true);
    expect(usage.body.budgets.accountCostTodayUsd).toBeCloseTo(26 * 1.99, 6);
  });

  it("counts scheduled work from its api_calls rows only: run and iteration totals are not added again", async () => {
    const ch = await createWebhookChannel(token, { policy: "open" });
    const now = Date.now();
    await env.DB.prepare("DELETE FROM job_runs WHERE job_id = 'job_x'").run();
    // Summaries of spend whose calls are already rows: counting them again would pass the $50 cap.
    await env.DB.prepare(
      "INSERT INTO job_runs (id, job_id, scheduled_for, trigger, status, attempts, cost_usd, created_at) VALUES ('jr_1', 'job_x', ?, 'schedule', 'ok', 1, 30, ?)",
    )
      .bind(now, now)
      .run();
    await spend("scheduler", "job:job_x", { costUsd: 30 });
    await signedPost(ch.url, ch.secret, message("early", "hi"));
    const answer = await eventually(async () => callbacks.captured.find((c) => c.body.recipient === "early"));
    expect(answer.body.text).toContain("You said: hi");

    // A job's calls count like anyone's: past the cap, conversations pause too.
    await spend("scheduler", "job:job_x", { costUsd: 20.5 });
    await signedPost(ch.url, ch.secret, message("late", "hi"));
    const notice = await eventually(async () => callbacks.captured.find((c) => c.body.recipient === "late"));
    expect(notice.body.text).toBe(budgetReply("account_cost"));
    await env.DB.prepare("DELETE FROM job_runs WHERE job_id = 'job_x'").run();
  });
});

describe("usage endpoints", () => {
  it("add up exactly the calls recorded, overall and per day, model, channel, sender and cache", async () => {
    const day = Date.UTC(2026, 10, 18, 12);
    await spend("ch_a", "u1", {
      model: "claude-sonnet-5-5",
      inputTokens: 100,
      outputTokens: 50,
      cacheWriteTokens: 1000,
      cacheReadTokens: 0,
      costUsd: 0.003,
      cacheSavingsUsd: -0.0005,
      at: day,
    });
    await spend("ch_a", "u1", {
      model: "claude-sonnet-5-5",
      inputTokens: 20,
      outputTokens: 60,
      cacheWriteTokens: 100,
      cacheReadTokens: 1000,
      costUsd: 0.001,
      cacheSavingsUsd: 0.0019,
      at: day + 1000,
    });
    await spend("ch_b", "u2", { model: "claude-opus-5-5", inputTokens: 300, outputTokens: 10, costUsd: 0.0014, status: "error", at: day + 86_400_000 });
    const get = <T>(path: string) => call<T>("GET", path, undefined, token).then((r) => r.body);

    const all = await get<{ totals: Record<string, number> }>("/api/usage");
    expect(all.totals).toMatchObject({
      calls: 3,
      errors: 1,
      runs: 3,
      inputTokens: 420,
      outputTokens: 120,
      cacheWriteTokens: 1100,
      cacheReadTokens: 1000,
      avgLatencyMs: 100,
    });
    expect(all.totals.costUsd).toBeCloseTo(0.0054, 9);
    expect(all.totals.cacheHitRatio).toBeCloseTo(1000 / 2520, 4);

    const filtered = await get<{ totals: { calls: number } }>(`/api/usage?from=2026-11-19&channelId=ch_b`);
    expect(filtered.totals.calls).toBe(1);

    const daily = await get<{ days: { day: string; calls: number; costUsd: number }[] }>(`/api/usage/daily?from=${day - 86_400_000}`);
    expect(daily.days.map((d) => [d.day, d.calls])).toEqual([
      ["2026-11-18", 2],
      ["2026-11-19", 1],
    ]);

    const models = await get<{ models: { model: string; calls: number; outputTokens: number }[] }>("/api/usage/models");
    expect(models.models.map((m) => [m.model, m.calls, m.outputTokens])).toEqual([
      ["claude-sonnet-5-5", 2, 110],
      ["claude-opus-5-5", 1, 10],
    ]);

    const channels = await get<{ channels: { channelId: string; calls: number }[] }>("/api/usage/channels");
    expect(Object.fromEntries(channels.channels.map((c) => [c.channelId, c.calls]))).toEqual({ ch_a: 2, ch_b: 1 });
    const senders = await get<{ senders: { channelId: string; senderId: string; inputTokens: number }[] }>("/api/usage/senders");
    expect(senders.senders).toContainEqual(expect.objectContaining({ channelId: "ch_a", senderId: "u1", inputTokens: 120 }));

    const cache = await get<{ savedUsd: number; cacheReadTokens: number; costWithoutCacheUsd: number; models: { model: string }[] }>("/api/usage/cache");
    expect(cache.cacheReadTokens).toBe(1000);
    expect(cache.savedUsd).toBeCloseTo(0.0014, 9);
    expect(cache.costWithoutCacheUsd).toBeCloseTo(0.0068, 9);

    const calls = await get<{ calls: { id: string; status: string }[] }>("/api/usage/calls?limit=2");
    expect(calls.calls).toHaveLength(2);
    expect(calls.calls[0]!.status).toBe("error");
  });

  it("rejects a malformed range and needs auth", async () => {
    expect((await call("GET", "/api/usage?from=yesterday", undefined, token)).status).toBe(400);
    expect((await call("GET", "/api/usage")).status).toBe(401);
  });
});

describe("per-channel agent settings", () => {
  it("stores model, max tokens, prompt and a tool allow list, rejects unknown tools, and resets with null", async () => {
    const agent = { model: "claude-haiku-5-5", maxTokens: 300, systemPrompt: "Answer like a pirate.", tools: ["current_time"] };
    const ch = await createWebhookChannel(token, { agent });
    expect((await call<{ channel: { agent: unknown } }>("GET", `/api/channels/${ch.id}`, undefined, token)).body.channel.agent).toEqual(agent);
    const bad = await call<{ error: string }>("PUT", `/api/channels/${ch.id}`, { agent: { tools: ["rm_rf"] } }, token);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain("agent.tools");
    expect((await call<{ channel: { agent: unknown } }>("PUT", `/api/channels/${ch.id}`, { agent: null }, token)).body.channel.agent).toBeNull();
  });
});
