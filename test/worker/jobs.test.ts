/**
 * Scheduled jobs through the real Worker: the API creates them, the Cron heartbeat (the
 * Worker's `scheduled` handler with a scripted time) claims due times, the JobRunner object
 * runs the recipe, and run records land in D1.
 */
import { createScheduledController, env } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../../workers";
import { schedulerAgent } from "../../src/scheduler/runtime-factory";
import { scriptedRuntime } from "../fakes/scripted-runtime";
import { jobRunner } from "../../src/objects/addresses";
import { adminToken, call, createWebhookChannel, eventually, fakeCallbacks, isolateScheduledWork, untilNoAlarm } from "./helpers";

let token: string;
beforeAll(async () => {
  token = await adminToken();
});
isolateScheduledWork();

/** The model requests a job made (each job is its own sender). */
const madeBy = (fake: ReturnType<typeof scriptedRuntime>, job: Job) => fake.requests.filter((r) => r.senderId === `job:${job.id}`);

const MINUTE = 60_000;

interface Job {
  id: string;
  nextRunAt: number;
  nextRuns: number[];
  status: string;
}
interface Run {
  id: string;
  scheduledFor: number;
  trigger: string;
  status: string;
  attempts: number;
  output: string | null;
  stepOutputs: string[];
  error: string | null;
  delivered: boolean;
  inputTokens: number;
  costUsd: number;
  finishedAt: number | null;
}

async function heartbeat(at: number): Promise<void> {
  // The handler does its work before returning (it only claims and wakes objects).
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron: "* * * * *" }), env);
}

async function createJob(body: Record<string, unknown>): Promise<Job> {
  const res = await call<{ job: Job }>(
    "POST",
    "/api/jobs",
    { name: `job-${crypto.randomUUID().slice(0, 6)}`, cron: "* * * * *", steps: [{ prompt: "Say hello" }], ...body },
    token,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.job;
}

async function runs(jobId: string): Promise<Run[]> {
  const res = await call<{ runs: Run[] }>("GET", `/api/jobs/${jobId}/runs`, undefined, token);
  return res.body.runs.sort((a, b) => a.scheduledFor - b.scheduledFor);
}

/** Straight from D1, so polling does not spend the API's per-IP request budget. */
async function runStatuses(jobId: string): Promise<string[]> {
  const rows = await env.DB.prepare("SELECT status FROM job_runs WHERE job_id = ? ORDER BY scheduled_for").bind(jobId).all<{ status: string }>();
  return rows.results.map((r) => r.status);
}

describe("a job on the heartbeat", () => {
  it("fires on a scheduled event, runs its recipe step by step and delivers the result", async () => {
    const fake = scriptedRuntime(["The weather is fine.", "Summary: fine weather."]);
    vi.spyOn(schedulerAgent, "runtime").mockReturnValue(fake.runtime);
    const callbacks = fakeCallbacks();
    const channel = await createWebhookChannel(token);
    const job = await createJob({
      name: "weather",
      steps: [{ prompt: "Check the weather" }, { prompt: "Summarise it", model: "claude-haiku-4-5" }],
      deliverTo: { channelId: channel.id, recipient: "alice" },
    });
    expect(job.nextRuns).toHaveLength(5);
    expect(job.nextRuns[0]).toBe(job.nextRunAt);
    expect(job.nextRuns[1]! - job.nextRuns[0]!).toBe(MINUTE);

    await heartbeat(job.nextRunAt);
    await eventually(async () => (await runStatuses(job.id)).join() === "ok");
    const [run] = await runs(job.id);
    expect(run).toMatchObject({
      scheduledFor: job.nextRunAt,
      trigger: "schedule",
      status: "ok",
      attempts: 1,
      output: "Summary: fine weather.",
      delivered: true,
      inputTokens: 20,
    });
    expect(run!.stepOutputs).toEqual(["The weather is fine.", "Summary: fine weather."]);
    // The second step saw the first step's prompt and output, and ran on its own model.
    expect(fake.requests[1]).toMatchObject({
      text: "Summarise it",
      model: "claude-haiku-4-5",
      history: [
        { role: "user", content: "Check the weather" },
        { role: "assistant", content: "The weather is fine." },
      ],
    });
    const delivered = await eventually(async () => callbacks.captured.find((c) => c.body.recipient === "alice"));
    expect(delivered.body.text).toBe("[weather] Summary: fine weather.");

    const after = await call<{ job: Job }>("GET", `/api/jobs/${job.id}`, undefined, token);
    expect(after.body.job.nextRunAt).toBe(job.nextRunAt + MINUTE);
    const events = await env.DB.prepare("SELECT detail FROM events WHERE kind = 'job.run'").all<{ detail: string }>();
    expect(events.results.map((e) => JSON.parse(e.detail) as { jobId: string; status: string }).filter((d) => d.jobId === job.id)).toMatchObject([
      { status: "ok" },
    ]);
  });

  it("does not fire while paused", async () => {
    const fake = scriptedRuntime([]);
    vi.spyOn(schedulerAgent, "runtime").mockReturnValue(fake.runtime);
    const job = await createJob({});
    expect((await call("POST", `/api/jobs/${job.id}/pause`, undefined, token)).status).toBe(200);
    await heartbeat(job.nextRunAt);
    await heartbeat(job.nextRunAt + MINUTE);
    expect(await runStatuses(job.id)).toEqual([]);
    expect(madeBy(fake, job)).toHaveLength(0);
    const paused = await call<{ job: Job }>("GET", `/api/jobs/${job.id}`, undefined, token);
    expect(paused.body.job).toMatchObject({ status: "paused", nextRunAt: job.nextRunAt, nextRuns: [] });
  });

  it("never runs a due time twice, however often the heartbeat fires", async () => {
    const fake = scriptedRuntime([]);
    vi.spyOn(schedulerAgent, "runtime").mockReturnValue(fake.runtime);
    const job = await createJob({});
    await Promise.all([heartbeat(job.nextRunAt), heartbeat(job.nextRunAt), heartbeat(job.nextRunAt + 1000)]);
    await heartbeat(job.nextRunAt);
    await eventually(async () => (await runStatuses(job.id)).join() === "ok");
    await untilNoAlarm(jobRunner(env, job.id));
    expect(await runStatuses(job.id)).toEqual(["ok"]);
    expect(madeBy(fake, job)).toHaveLength(1);
  });
});

describe("catch-up", () => {
  it("skip: due times missed while the gateway was down are recorded as missed, and none runs late", async () => {
    const fake = scriptedRuntime([]);
    vi.spyOn(schedulerAgent, "runtime").mockReturnValue(fake.runtime);
    const job = await createJob({ cron: "*/5 * * * *", catchUp: "skip" });
    const t = job.nextRunAt;
    await heartbeat(t + 17 * MINUTE);
    const recorded = await runs(job.id);
    expect(recorded.map((r) => [r.scheduledFor - t, r.status])).toEqual([
      [0, "missed"],
      [5 * MINUTE, "missed"],
      [10 * MINUTE, "missed"],
      [15 * MINUTE, "missed"],
    ]);
    expect(recorded[0]!.error).toContain("catch-up policy skip");
    await untilNoAlarm(jobRunner(env, job.id));
    expect(madeBy(fake, job)).toHaveLength(0);
    const after = await call<{ job: Job }>("GET", `/api/jobs/${job.id}`, undefined, token);
    expect(after.body.job.nextRunAt).toBe(t + 20 * MINUTE);
  });

  it("run-once: times missed while paused are covered by one catch-up run", async () => {
    const fake = scriptedRuntime(["caught up"]);
    vi.spyOn(schedulerAgent, "runtime").mockReturnValue(fake.runtime);
    const job = await createJob({ cron: "*/5 * * * *", catchUp: "run-once" });
    const t = job.nextRunAt;
    await call("POST", `/api/jobs/${job.id}/pause`, undefined, token);
    await heartbeat(t + 7 * MINUTE);
    expect(await runStatuses(job.id)).toEqual([]);
    await call("POST", `/api/jobs/${job.id}/resume`, undefined, token);
    await heartbeat(t + 17 * MINUTE);
    await eventually(async () => (await runStatuses(job.id)).includes("ok"));
    const recorded = await runs(job.id);
    expect(recorded.map((r) => [r.scheduledFor - t, r.status, r.trigger])).toEqual([
      [0, "skipped", "schedule"],
      [5 * MINUTE, "skipped", "schedule"],
      [10 * MINUTE, "skipped", "schedule"],
      [15 * MINUTE, "ok", "catch-up"],
    ]);
    expect(recorded[0]!.error).toContain("covered by the catch-up run");
    expect(recorded[3]!.output).toBe("caught up");
    expect(madeBy(fake, job)).toHaveLength(1);
  });
});

describe("retries", () => {
  it("retries a failed run after its backoff and records both tries", async () => {
    const fake = scriptedRuntime([{ fail: "overloaded_error: Overloaded" }, "second time lucky"]);
    vi.spyOn(schedulerAgent, "runtime").mockReturnValue(fake.runtime);
    const job = await createJob({ retry: { attempts: 3, backoffSeconds: 0.3 } });
    const started = Date.now();
    await heartbeat(job.nextRunAt);
    await eventually(async () => (await runStatuses(job.id)).join() === "retrying");
    const retrying = (await runs(job.id))[0]!;
    expect(retrying).toMatchObject({ attempts: 1, error: "step 1: overloaded_error: Overloaded", finishedAt: null });
    await eventually(async () => (await runStatuses(job.id)).join() === "ok");
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect((await runs(job.id))[0]).toMatchObject({ status: "ok", attempts: 2, output: "second time lucky", error: null });
    expect(madeBy(fake, job)).toHaveLength(2);
  });

  it("gives up after the last attempt and keeps the error", async () => {
    const fake = scriptedRuntime([{ fail: "invalid_request_error: bad model" }, { fail: "invalid_request_error: bad model" }]);
    vi.spyOn(schedulerAgent, "runtime").mockReturnValue(fake.runtime);
    const job = await createJob({ retry: { attempts: 2, backoffSeconds: 0 } });
    await call("POST", `/api/jobs/${job.id}/run`, undefined, token);
    await eventually(async () => (await runStatuses(job.id)).join() === "failed");
    expect((await runs(job.id))[0]).toMatchObject({ trigger: "manual", attempts: 2, error: "step 1: invalid_request_error: bad model" });
  });
});

describe("the jobs API", () => {
  it("rejects an invalid cron expression naming the bad field, and stores nothing", async () => {
    const before = await call<{ jobs: unknown[] }>("GET", "/api/jobs", undefined, token);
    const bad = await call<{ error: string }>("POST", "/api/jobs", { name: "bad", cron: "0 25 * * *", steps: [{ prompt: "x" }] }, token);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('hour field "25"');
    const tz = await call<{ error: string }>(
      "POST",
      "/api/jobs",
      { name: "bad", cron: "0 9 * * *", timezone: "Europe/Atlantis", steps: [{ prompt: "x" }] },
      token,
    );
    expect(tz.status).toBe(400);
    expect(tz.body.error).toContain("timezone");
    const noSteps = await call<{ error: string }>("POST", "/api/jobs", { name: "bad", cron: "0 9 * * *", steps: [] }, token);
    expect(noSteps.status).toBe(400);
    const noChannel = await call<{ error: string }>(
      "POST",
      "/api/jobs",
      { name: "bad", cron: "0 9 * * *", steps: [{ prompt: "x" }], deliverTo: { channelId: "ch_nope", recipient: "a" } },
      token,
    );
    expect(noChannel).toMatchObject({ status: 400, body: { error: "deliverTo.channelId: no channel ch_nope" } });
    const after = await call<{ jobs: unknown[] }>("GET", "/api/jobs", undefined, token);
    expect(after.body.jobs).toHaveLength(before.body.jobs.length);
  });

  it("previews the next five times, or names the bad field", async () => {
    const ok = await call<{ next: string[] }>("GET", `/api/cron/preview?expr=${encodeURIComponent("30 9 * * MON-FRI")}&tz=Europe/Berlin`, undefined, token);
    expect(ok.status).toBe(200);
    expect(ok.body.next).toHaveLength(5);
    for (const t of ok.body.next) {
      const local = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Berlin", weekday: "short", hour: "2-digit", minute: "2-digit" }).format(new Date(t));
      expect(local).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 09:30$/);
    }
    const bad = await call<{ error: string; field: string }>("GET", `/api/cron/preview?expr=${encodeURIComponent("* * * JANUARY *")}`, undefined, token);
    expect(bad).toMatchObject({ status: 400, body: { field: "month" } });
    expect((await call("GET", "/api/cron/preview?expr=@daily")).status).toBe(401);
  });

  it("updates, reschedules on a new cron, and deletes", async () => {
    const job = await createJob({ cron: "0 9 * * *" });
    const put = await call<{ job: Job & { cron: string; timezone: string; catchUp: string } }>(
      "PUT",
      `/api/jobs/${job.id}`,
      { cron: "@hourly", timezone: "Asia/Tokyo", catchUp: "run-once" },
      token,
    );
    expect(put.status).toBe(200);
    expect(put.body.job).toMatchObject({ cron: "@hourly", timezone: "Asia/Tokyo", catchUp: "run-once" });
    expect(put.body.job.nextRunAt % (60 * MINUTE)).toBe(0);
    expect(put.body.job.nextRunAt - Date.now()).toBeLessThanOrEqual(60 * MINUTE);
    expect((await call("PUT", `/api/jobs/${job.id}`, { cron: "61 * * * *" }, token)).status).toBe(400);
    expect((await call("DELETE", `/api/jobs/${job.id}`, undefined, token)).status).toBe(200);
    expect((await call("GET", `/api/jobs/${job.id}`, undefined, token)).status).toBe(404);
  });
});
