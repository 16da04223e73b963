/**
 * The account's daily cost cap pauses scheduled work (default cap $50 a UTC day): a due job run
 * is recorded as skipped with the reason and no model call, a loop task pauses (listed as
 * stopped with reason `budget`) and goes on when the cap resets (its alarm), when the watchdog finds its alarm lost,
 * or when it is started again with room in the budget; the admin sees `budget.exceeded`.
 */
import { createScheduledController, env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../../workers";
import { utcDayStart } from "../../src/agent/budget";
import { schedulerAgent } from "../../src/scheduler/runtime-factory";
import { loopTask } from "../../src/objects/addresses";
import { scriptedRuntime } from "../fakes/scripted-runtime";
import { adminToken, call, eventually, isolateScheduledWork } from "./helpers";

const DAY_MS = 86_400_000;
let token: string;
beforeAll(async () => {
  token = await adminToken();
});
isolateScheduledWork();

/** Today's conversations spent this much (one api_calls row on another channel). */
async function spentToday(costUsd: number): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO api_calls (id, created_at, channel_id, sender_id, session_id, run_id, purpose, mode, model, status, cost_usd)
     VALUES (?, ?, 'ch_busy', 'someone', 'ch_busy:someone', 'run_busy', 'turn', 'direct', 'claude-sonnet-5-5', 'ok', ?)`,
  )
    .bind(`run_busy:${crypto.randomUUID()}`, Date.now(), costUsd)
    .run();
}
const clearConversationSpend = () => env.DB.prepare("DELETE FROM api_calls WHERE channel_id = 'ch_busy'").run();

interface Event {
  kind: string;
  channelId: string;
  senderId: string;
  detail: Record<string, unknown>;
}
async function eventsOf(kind: string, senderId: string): Promise<Event[]> {
  const rows = await env.DB.prepare(
    "SELECT kind, channel_id AS channelId, sender_id AS senderId, detail FROM events WHERE kind = ? AND sender_id = ? ORDER BY at",
  )
    .bind(kind, senderId)
    .all<Omit<Event, "detail"> & { detail: string }>();
  return rows.results.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
}

interface Task {
  id: number;
  status: string;
  stopReason: string | null;
  iterations: number;
}
const taskRow = (id: number) => env.DB.prepare("SELECT id, status, stop_reason AS stopReason, iterations FROM loop_tasks WHERE id = ?").bind(id).first<Task>();
const statusIs = (id: number, status: string) => eventually(async () => ((await taskRow(id))?.status === status ? await taskRow(id) : undefined));
/** A budget-paused task is listed as stopped with reason budget (and resumes by itself). */
const pausedByBudget = (id: number) => eventually(async () => ((await taskRow(id))?.stopReason === "budget" ? await taskRow(id) : undefined));

describe("over the account's daily cost cap", () => {
  it("a due job run is recorded as skipped, with the reason, without calling the model; under the cap it runs again", async () => {
    const fake = scriptedRuntime([]);
    vi.spyOn(schedulerAgent, "runtime").mockReturnValue(fake.runtime);
    await spentToday(50.25);
    const job = (
      await call<{ job: { id: string; nextRunAt: number } }>(
        "POST",
        "/api/jobs",
        { name: "digest", cron: "* * * * *", steps: [{ prompt: "Summarise the day" }] },
        token,
      )
    ).body.job;

    await worker.scheduled(createScheduledController({ scheduledTime: job.nextRunAt, cron: "* * * * *" }), env);
    const skipped = await eventually(
      async () =>
        (await env.DB.prepare("SELECT id, status, error, attempts FROM job_runs WHERE job_id = ? AND status = 'skipped'")
          .bind(job.id)
          .first<{ id: string; error: string; attempts: number }>()) ?? undefined,
    );
    expect(skipped.error).toBe(
      `skipped: the account's daily cost cap is reached ($50.25 of $50.00 spent today); it resets at ${new Date(utcDayStart(Date.now()) + DAY_MS).toISOString().slice(0, 16)}Z`,
    );
    expect(skipped.attempts).toBe(0);
    expect(fake.requests).toHaveLength(0);
    const [exceeded] = await eventsOf("budget.exceeded", `job:${job.id}`);
    expect(exceeded).toMatchObject({
      channelId: "scheduler",
      detail: { scope: "account_cost", used: 50.25, limit: 50, jobId: job.id, runId: skipped.id, action: "run skipped" },
    });
    expect((await eventsOf("job.run", `job:${job.id}`)).map((e) => e.detail.status)).toEqual(["skipped"]);

    // Run now is held back the same way, visibly.
    const manual = await call<{ run: { id: string } }>("POST", `/api/jobs/${job.id}/run`, undefined, token);
    await eventually(
      async () => (await env.DB.prepare("SELECT status FROM job_runs WHERE id = ?").bind(manual.body.run.id).first<{ status: string }>())?.status === "skipped",
    );

    await clearConversationSpend();
    await worker.scheduled(createScheduledController({ scheduledTime: job.nextRunAt + 60_000, cron: "* * * * *" }), env);
    await eventually(async () => (await env.DB.prepare("SELECT 1 AS ok FROM job_runs WHERE job_id = ? AND status = 'ok'").bind(job.id).first()) ?? undefined);
    expect(fake.requests).toHaveLength(1);
  });

  it("a loop task pauses with reason budget, waits for the reset at midnight UTC, then goes on where it was", async () => {
    // $49.99 spent; the first iteration's $0.02 crosses the cap, so the second one waits.
    await spentToday(49.99);
    const fake = scriptedRuntime([{ text: "first", costUsd: 0.02 }, "second", "third"]);
    vi.spyOn(schedulerAgent, "runtime").mockReturnValue(fake.runtime);
    const task = (await call<{ task: Task }>("POST", "/api/tasks", { name: "essay", prompt: "Write", maxIterations: 3 }, token)).body.task;

    expect(await pausedByBudget(task.id)).toMatchObject({ status: "stopped", iterations: 1 });
    expect(fake.requests).toHaveLength(1);
    const resetsAt = utcDayStart(Date.now()) + DAY_MS;
    expect(await runInDurableObject(loopTask(env, task.id), (_o, state) => state.storage.getAlarm())).toBe(resetsAt);
    const [exceeded] = await eventsOf("budget.exceeded", `task:${task.id}`);
    expect(exceeded!.detail).toMatchObject({ scope: "account_cost", limit: 50, taskId: task.id, action: "task paused", resumesAt: resetsAt });
    expect(exceeded!.detail.used).toBeCloseTo(50.01, 9);
    const listed = await call<{ task: Task }>("GET", `/api/tasks/${task.id}`, undefined, token);
    expect(listed.body.task).toMatchObject({ status: "stopped", stopReason: "budget" });

    // Midnight: the day's spend no longer counts, and the alarm picks the task up.
    await clearConversationSpend();
    expect(await runDurableObjectAlarm(loopTask(env, task.id))).toBe(true);
    expect(await statusIs(task.id, "completed")).toMatchObject({ stopReason: "max_iterations", iterations: 3 });
    expect(fake.requests.map((r) => r.history.at(-1)?.content ?? null)).toEqual([null, "first", "second"]);
    const resumed = await env.DB.prepare("SELECT detail FROM events WHERE kind = 'loop.resumed' AND json_extract(detail, '$.taskId') = ?")
      .bind(task.id)
      .all<{ detail: string }>();
    expect(resumed.results.map((r) => (JSON.parse(r.detail) as { by: string }).by)).toEqual(["budget_reset"]);
  });

  it("start resumes a paused task only when the budget allows, stop ends it, and the watchdog re-arms a lost alarm", async () => {
    const fake = scriptedRuntime([]);
    vi.spyOn(schedulerAgent, "runtime").mockReturnValue(fake.runtime);
    await spentToday(75);
    const task = (await call<{ task: Task }>("POST", "/api/tasks", { name: "later", prompt: "Go", maxIterations: 2 }, token)).body.task;
    expect(await pausedByBudget(task.id)).toMatchObject({ status: "stopped", iterations: 0 });

    const refused = await call<{ error: string }>("POST", `/api/tasks/${task.id}/start`, undefined, token);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatch(/^loop task \d+ stays paused: the account's daily cost cap is reached \(\$75\.00 of \$50\.00/);
    expect(fake.requests).toHaveLength(0);

    // The midnight alarm was lost and the task has been paused since yesterday: the heartbeat re-arms it.
    await runInDurableObject(loopTask(env, task.id), (_o, state) => state.storage.deleteAlarm());
    await env.DB.prepare("UPDATE loop_tasks SET updated_at = ? WHERE id = ?")
      .bind(utcDayStart(Date.now()) - 1, task.id)
      .run();
    await clearConversationSpend();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now() }), env);
    expect(await statusIs(task.id, "completed")).toMatchObject({ stopReason: "max_iterations", iterations: 2 });

    // Paused again by a new day's spend, a task can be stopped.
    await spentToday(60);
    expect((await call("POST", `/api/tasks/${task.id}/start`, undefined, token)).status).toBe(200);
    await pausedByBudget(task.id);
    const stopped = await call<{ task: Task }>("POST", `/api/tasks/${task.id}/stop`, undefined, token);
    expect(stopped.body.task).toMatchObject({ status: "stopped", stopReason: "stopped" });
    expect(await runInDurableObject(loopTask(env, task.id), (_o, state) => state.storage.getAlarm())).toBeNull();
  });
});
