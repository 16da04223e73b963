/**
 * Scheduled work's spend as the admin reads it, end to end: `npm start` with the real SDK
 * pointed at the fake Messages API, a job run now and a loop task, and /api/usage for the
 * `scheduler` channel adding up to exactly the tokens the fake served those requests.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-messages";
import { removeState, setupAdmin, startGateway, waitFor, type GatewayProcess } from "../support/gateway-process";

const PORT = 8901;
const KEY = "sk-ant-e2e-sched-51c0";

interface Totals {
  calls: number;
  runs: number;
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
  costUsd: number;
}

describe("usage of scheduled work, end to end", () => {
  let gw: GatewayProcess;
  let fake: FakeAnthropic;

  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY, minCacheableTokens: 256 });
    gw = await startGateway({ port: PORT, env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url, AGENT_RETRY_BASE_MS: "50" } });
  });
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    if (gw) removeState(gw.stateDir);
  });

  it("counts every model call of a job run and a loop task once, as the fake served them", async () => {
    const { api } = await setupAdmin(gw);
    const job = await api<{ job: { id: string } }>("POST", "/api/jobs", {
      name: "digest",
      cron: "0 7 * * *",
      steps: [{ prompt: "List three garden chores for November." }, { prompt: "Pick the most urgent one." }],
    });
    expect(job.status).toBe(201);
    const run = await api<{ run: { id: string } }>("POST", `/api/jobs/${job.body.job.id}/run`);
    await waitFor(
      async () => (await api<{ runs: { status: string }[] }>("GET", `/api/jobs/${job.body.job.id}/runs`)).body.runs[0]?.status === "ok",
      30_000,
      "the job run",
    );

    const task = await api<{ task: { id: number } }>("POST", "/api/tasks", { name: "poem", prompt: "Improve the poem.", maxIterations: 2 });
    expect(task.status).toBe(201);
    await waitFor(
      async () => (await api<{ task: { status: string } }>("GET", `/api/tasks/${task.body.task.id}`)).body.task.status === "completed",
      30_000,
      "the loop task",
    );

    // Everything the gateway asked the model for so far was scheduled work.
    const served = fake.answered().map((r) => r.usage as Record<string, number>);
    expect(served).toHaveLength(4);
    const sum = (key: string) => served.reduce((n, u) => n + Number(u[key]), 0);
    const usage = await api<{ totals: Totals; budgets: { accountCostTodayUsd: number } }>("GET", "/api/usage?channelId=scheduler");
    expect(usage.body.totals).toMatchObject({
      calls: 4,
      runs: 3,
      inputTokens: sum("input_tokens"),
      outputTokens: sum("output_tokens"),
      cacheWriteTokens: sum("cache_creation_input_tokens"),
      cacheReadTokens: sum("cache_read_input_tokens"),
    });
    expect(usage.body.totals.costUsd).toBeGreaterThan(0);

    // The run records and the account's spend are the same calls, not added again.
    const runs = await api<{ runs: { id: string; costUsd: number; inputTokens: number }[] }>("GET", `/api/jobs/${job.body.job.id}/runs`);
    const calls = await api<{ calls: { costUsd: number; inputTokens: number }[] }>("GET", `/api/usage/calls?runId=${run.body.run.id}`);
    expect(calls.body.calls).toHaveLength(2);
    expect(runs.body.runs[0]!.costUsd).toBeCloseTo(
      calls.body.calls.reduce((n, c) => n + c.costUsd, 0),
      12,
    );
    const all = await api<{ totals: Totals; budgets: { accountCostTodayUsd: number } }>("GET", "/api/usage");
    expect(all.body.totals.calls).toBe(4);
    expect(all.body.budgets.accountCostTodayUsd).toBeCloseTo(usage.body.totals.costUsd, 12);
    const senders = await api<{ senders: { senderId: string; calls: number }[] }>("GET", "/api/usage/senders?channelId=scheduler");
    expect(Object.fromEntries(senders.body.senders.map((s) => [s.senderId, s.calls]))).toEqual({
      [`job:${job.body.job.id}`]: 2,
      [`task:${task.body.task.id}`]: 2,
    });
  });
});
