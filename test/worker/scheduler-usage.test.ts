/**
 * Scheduled work's model calls are api_calls rows like a conversation's: a job run and a loop
 * task, each with a scripted model that reports its calls as the Claude runtime does, show up
 * in /api/usage on the `scheduler` channel as `job:<id>` / `task:<id>`, and the account's
 * daily spend counts each call once (job_runs and loop_iterations only summarise the same rows).
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { schedulerAgent } from "../../src/scheduler/runtime-factory";
import { scriptedRuntime } from "../fakes/scripted-runtime";
import { adminToken, call, eventually, isolateScheduledWork } from "./helpers";

let token: string;
beforeAll(async () => {
  token = await adminToken();
});
isolateScheduledWork();

interface Totals {
  calls: number;
  runs: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}
const get = async <T>(path: string) => (await call<T>("GET", path, undefined, token)).body;

describe("usage of scheduled work", () => {
  it("records each step of a job run and each loop iteration as an api_calls row, counted once in the account's spend", async () => {
    const fake = scriptedRuntime([
      { text: "step one", costUsd: 0.0125 },
      { text: "step two", costUsd: 0.0075 },
      { text: "draft", costUsd: 0.03 },
      { text: "done <promise>DONE</promise>", costUsd: 0.02 },
    ]);
    vi.spyOn(schedulerAgent, "runtime").mockReturnValue(fake.runtime);

    const job = (
      await call<{ job: { id: string } }>(
        "POST",
        "/api/jobs",
        { name: "digest", cron: "0 9 * * *", steps: [{ prompt: "Collect" }, { prompt: "Summarise" }] },
        token,
      )
    ).body.job;
    const manual = await call<{ run: { id: string } }>("POST", `/api/jobs/${job.id}/run`, undefined, token);
    expect(manual.status).toBe(202);
    const runId = manual.body.run.id;
    const run = await eventually(
      async () =>
        (await env.DB.prepare("SELECT status, cost_usd AS cost, input_tokens AS input FROM job_runs WHERE id = ? AND status = 'ok'")
          .bind(runId)
          .first<{ cost: number; input: number }>()) ?? undefined,
    );

    const task = (await call<{ task: { id: number } }>("POST", "/api/tasks", { name: "essay", prompt: "Write it", maxIterations: 5 }, token)).body.task;
    const loop = await eventually(
      async () =>
        (await env.DB.prepare("SELECT cost_usd AS cost FROM loop_tasks WHERE id = ? AND status = 'completed'").bind(task.id).first<{ cost: number }>()) ??
        undefined,
    );

    // What the model served: 4 calls, 10 input and 5 output tokens each, $0.07 in all.
    expect(fake.requests).toHaveLength(4);
    const scheduled = await get<{ totals: Totals }>("/api/usage?channelId=scheduler");
    expect(scheduled.totals).toMatchObject({ calls: 4, runs: 3, inputTokens: 40, outputTokens: 20 });
    expect(scheduled.totals.costUsd).toBeCloseTo(0.07, 9);

    const senders = await get<{ senders: (Totals & { channelId: string; senderId: string })[] }>("/api/usage/senders?channelId=scheduler");
    const of = (sender: string) => senders.senders.find((s) => s.senderId === sender);
    expect(of(`job:${job.id}`)).toMatchObject({ channelId: "scheduler", calls: 2, runs: 1 });
    expect(of(`job:${job.id}`)!.costUsd).toBeCloseTo(0.02, 9);
    expect(of(`task:${task.id}`)).toMatchObject({ channelId: "scheduler", calls: 2, runs: 2 });
    expect(of(`task:${task.id}`)!.costUsd).toBeCloseTo(0.05, 9);

    // The run and task records summarise the same calls.
    expect(run.cost).toBeCloseTo(0.02, 9);
    expect(run.input).toBe(20);
    expect(loop.cost).toBeCloseTo(0.05, 9);
    const calls = await get<{ calls: { id: string; senderId: string; sessionId: string; purpose: string }[] }>(`/api/usage/calls?runId=${runId}`);
    expect(calls.calls.map((c) => c.id).sort()).toEqual([`${runId}:t1:001`, `${runId}:t1:002`]);
    expect(calls.calls[0]).toMatchObject({ senderId: `job:${job.id}`, sessionId: `scheduler:job:${job.id}`, purpose: "turn" });

    // One source of truth: the account's spend today is the calls' sum, not twice it.
    const usage = await get<{ budgets: { accountCostTodayUsd: number } }>("/api/usage");
    expect(usage.budgets.accountCostTodayUsd).toBeCloseTo(0.07, 9);
  });

  it("adds a retried run's tries as separate rows", async () => {
    const fake = scriptedRuntime([{ fail: "500 api_error" }, { text: "ok now", costUsd: 0.004 }]);
    vi.spyOn(schedulerAgent, "runtime").mockReturnValue(fake.runtime);
    const job = (
      await call<{ job: { id: string } }>(
        "POST",
        "/api/jobs",
        { name: "flaky", cron: "0 9 * * *", steps: [{ prompt: "Try" }], retry: { attempts: 2, backoffSeconds: 0 } },
        token,
      )
    ).body.job;
    const runId = (await call<{ run: { id: string } }>("POST", `/api/jobs/${job.id}/run`, undefined, token)).body.run.id;
    await eventually(async () => (await env.DB.prepare("SELECT 1 AS done FROM job_runs WHERE id = ? AND status = 'ok'").bind(runId).first()) ?? undefined);
    const calls = await get<{ calls: { id: string; costUsd: number }[] }>(`/api/usage/calls?runId=${runId}`);
    // The failed try reached no model (the scripted failure reports no call); the second one did.
    expect(calls.calls.map((c) => c.id)).toEqual([`${runId}:t2:001`]);
    expect(calls.calls[0]!.costUsd).toBeCloseTo(0.004, 9);
  });
});
