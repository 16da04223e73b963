/**
 * The agent's Claude runtime pointed at the fake Messages API, for unit tests of a turn: one
 * fake per test file (started and stopped by the hooks this registers, so call it at the top
 * level of the file), and a runtime with small limits and no retries unless a test asks.
 */
import { afterAll, beforeAll } from "vitest";
import { createClaudeRuntime } from "../../src/agent/claude";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-messages";

type RuntimeOptions = Parameters<typeof createClaudeRuntime>[0];

export function claudeAgainstFake(apiKey = "sk-ant-test-0123456789") {
  let fake: FakeAnthropic | undefined;
  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey });
  });
  afterAll(() => fake?.close());
  const anthropic = () => {
    if (!fake) throw new Error("the fake Messages API starts in beforeAll");
    return fake;
  };
  const runtime = (overrides: Partial<RuntimeOptions> = {}) =>
    createClaudeRuntime({
      apiKey,
      baseURL: anthropic().url,
      model: "claude-sonnet-5-5",
      maxTokens: 512,
      systemPrompt: "You help.",
      maxSteps: 4,
      historyTokenBudget: 100_000,
      timeoutMs: 5_000,
      retry: { maxAttempts: 1, baseDelayMs: 10, maxWaitMs: 1_000 },
      ...overrides,
    });
  return { anthropic, runtime };
}
