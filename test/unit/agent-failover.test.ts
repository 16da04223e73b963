/**
 * Model failover against the fake Messages API through the real SDK: a 529 storm on the primary
 * model hands the turn to the fallback after AGENT_FAILOVER_AFTER_ATTEMPTS, the rest of the turn
 * stays there, the switch is an event, and every call is priced at the model it was sent to.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createClaudeRuntime, type ClaudeRuntimeOptions } from "../../src/agent/claude";
import { costOf } from "../../src/agent/pricing";
import { USER_MESSAGES } from "../../src/agent/retry-policy";
import type { TurnRequest } from "../../src/agent/types";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-messages";

const KEY = "sk-ant-test-failover";
const PRIMARY = "claude-opus-5-5";
const FALLBACK = "claude-haiku-5-5";
/** Which models are down, and how: the fake answers their requests with this status. */
const down = new Map<string, 400 | 429 | 500 | 529>();
let fake: FakeAnthropic;

beforeAll(async () => {
  fake = await startFakeAnthropic({
    apiKey: KEY,
    respond: (body) => {
      const status = down.get(String(body.model));
      return status ? { kind: "error", status, ...(status === 429 ? { retryAfter: 1 } : {}) } : undefined;
    },
  });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  down.clear();
});

const runtime = (overrides: Partial<ClaudeRuntimeOptions> = {}) =>
  createClaudeRuntime({
    apiKey: KEY,
    baseURL: fake.url,
    model: PRIMARY,
    maxTokens: 256,
    systemPrompt: "You are terse.",
    maxSteps: 4,
    historyTokenBudget: 100_000,
    timeoutMs: 5_000,
    retry: { maxAttempts: 4, baseDelayMs: 10, maxWaitMs: 2_000 },
    fallbackModels: [FALLBACK],
    failoverAfter: 2,
    ...overrides,
  });

const request = (text: string, extra: Partial<TurnRequest> = {}): TurnRequest => ({
  channelId: "ch_1",
  channelType: "telegram",
  channelName: "Support",
  senderId: "42",
  trust: "paired",
  history: [],
  text,
  ...extra,
});
const modelsAsked = () => fake.requests.map((r) => r.body.model);

describe("model failover", () => {
  it("hands the turn to the fallback after two 529s on the primary, records the switch and prices each call at its model", async () => {
    down.set(PRIMARY, 529);
    const result = await runtime().runTurn(request("hello, anyone there?"));
    expect(result.ok).toBe(true);
    expect(modelsAsked()).toEqual([PRIMARY, PRIMARY, FALLBACK]);
    expect(result.model).toBe(FALLBACK);
    expect((result.events ?? []).filter((e) => e.kind === "agent.failover")).toEqual([
      { kind: "agent.failover", detail: expect.objectContaining({ from: PRIMARY, to: FALLBACK, attempts: 2 }) },
    ]);
    expect((result.calls ?? []).map((c) => [c.model, c.status])).toEqual([
      [PRIMARY, "error"],
      [PRIMARY, "error"],
      [FALLBACK, "ok"],
    ]);
    const answered = (result.calls ?? [])[2]!;
    expect(answered.costUsd).toBeCloseTo(
      costOf(FALLBACK, {
        inputTokens: answered.inputTokens,
        outputTokens: answered.outputTokens,
        cacheWriteTokens: answered.cacheWriteTokens,
        cacheReadTokens: answered.cacheReadTokens,
      }).costUsd,
      10,
    );
    expect(answered.costUsd).toBeLessThan(costOf(PRIMARY, { ...answered, cacheWrite1hTokens: 0 }).costUsd);
  });

  it("keeps the rest of the turn (tool steps) on the model that answered", async () => {
    down.set(PRIMARY, 529);
    fake.enqueue({ kind: "error", status: 529 }, { kind: "error", status: 529 }, { kind: "tool_use", name: "current_time", input: {} });
    const result = await runtime().runTurn(request("time?"));
    expect(result.ok).toBe(true);
    expect(modelsAsked()).toEqual([PRIMARY, PRIMARY, FALLBACK, FALLBACK]);
  });

  it("switches on rate limits and server errors too, but not on a request the API rejects", async () => {
    down.set(PRIMARY, 429);
    expect((await runtime().runTurn(request("a"))).model).toBe(FALLBACK);
    fake.requests.length = 0;
    down.set(PRIMARY, 500);
    expect((await runtime().runTurn(request("b"))).model).toBe(FALLBACK);
    fake.requests.length = 0;
    down.set(PRIMARY, 400);
    const rejected = await runtime().runTurn(request("c"));
    expect(rejected.ok).toBe(false);
    expect(modelsAsked()).toEqual([PRIMARY]);
    expect((rejected.events ?? []).some((e) => e.kind === "agent.failover")).toBe(false);
  });

  it("tells the sender once when every model is down, and uses a channel's own fallback list", async () => {
    down.set(PRIMARY, 529);
    down.set(FALLBACK, 529);
    const failed = await runtime().runTurn(request("anyone?"));
    expect(failed.ok).toBe(false);
    if (!failed.ok) expect(failed.userMessage).toBe(USER_MESSAGES.busy);
    expect(modelsAsked()).toEqual([PRIMARY, PRIMARY, FALLBACK, FALLBACK, FALLBACK, FALLBACK]);
    fake.requests.length = 0;
    const own = await runtime().runTurn(request("and now?", { settings: { fallbackModels: ["claude-sonnet-5-5"] } }));
    expect(own.model).toBe("claude-sonnet-5-5");
  });

  it("does nothing new without fallback models: the primary keeps its retries", async () => {
    down.set(PRIMARY, 529);
    const result = await runtime({ fallbackModels: [] }).runTurn(request("hello"));
    expect(result.ok).toBe(false);
    expect(modelsAsked()).toEqual([PRIMARY, PRIMARY, PRIMARY, PRIMARY]);
  });
});
