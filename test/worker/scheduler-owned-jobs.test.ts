/**
 * Jobs the agent creates for a sender belong to that sender: a signed webhook message reaches
 * the sender's object, the turn's model calls the real `schedule_job` tool, and the job it
 * creates is listed with its owner, runs on the heartbeat, delivers to the sender, and its
 * model calls are charged to the sender in /api/usage. Once the sender's daily cap is spent,
 * their job's next due run is skipped with the reason while an admin's job still runs.
 */
import { createScheduledController, env } from "cloudflare:test";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../../workers";
import { utcDayStart } from "../../src/agent/budget";
import { conversationAgent } from "../../src/agent/runtime";
import { toolsFor } from "../../src/agent/tools";
import type { AgentRuntime, ApiCallRecord, TurnRequest } from "../../src/agent/types";
import { schedulerAgent } from "../../src/scheduler/runtime-factory";
import { scriptedRuntime, SCRIPTED_MODEL } from "../fakes/scripted-runtime";
import { adminToken, call, createWebhookChannel, eventually, fakeCallbacks, isolateScheduledWork, message, signedPost } from "./helpers";

const DAY_MS = 86_400_000;
let token: string;
beforeAll(async () => {
  token = await adminToken();
});
isolateScheduledWork();
let callbacks: ReturnType<typeof fakeCallbacks>;
beforeEach(() => {
  callbacks = fakeCallbacks();
});
afterEach(() => callbacks.restore());

interface Job {
  id: string;
  name: string;
  nextRunAt: number;
  owner: { channelId: string; senderId: string } | null;
  deliverTo: { channelId: string; recipient: string } | null;
}
interface SenderUsage {
  channelId: string;
  senderId: string;
  calls: number;
  runs: number;
  costUsd: number;
}

const TURN_COST_USD = 0.001;

/**
 * A conversation model that answers every message by calling `schedule_job`, the way Claude's
 * tool loop does: only if the turn offers the tool (the pipeline decides by trust and
 * capability), with the tool's own input handling, and replying with the tool's result.
 */
function schedulingModel(jobName: string, prompt: string) {
  const requests: TurnRequest[] = [];
  const runtime: AgentRuntime = {
    model: SCRIPTED_MODEL,
    mode: "anthropic",
    async runTurn(req) {
      requests.push(req);
      const call: ApiCallRecord = {
        at: Date.now(),
        purpose: "turn",
        model: SCRIPTED_MODEL,
        inputTokens: 40,
        outputTokens: 20,
        cacheWriteTokens: 0,
        cacheReadTokens: 0,
        latencyMs: 1,
        stopReason: "end_turn",
        status: "ok",
        costUsd: TURN_COST_USD,
        cacheSavingsUsd: 0,
      };
      const usage = { inputTokens: 40, outputTokens: 20, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: TURN_COST_USD };
      const tool = toolsFor(req.trust ?? "public", req.settings?.tools, req.capabilities).find((t) => t.name === "schedule_job");
      if (!tool) return { ok: true, text: "I cannot schedule anything here.", model: SCRIPTED_MODEL, usage, calls: [call], latencyMs: 1 };
      const outcome = await tool.run(
        { name: jobName, cron: "* * * * *", prompt },
        { now: Date.now, notes: [], notesAdded: [], scheduleJob: req.capabilities?.scheduleJob },
      );
      return { ok: true, text: `${outcome.isError ? "failed" : "done"}: ${outcome.content}`, model: SCRIPTED_MODEL, usage, calls: [call], latencyMs: 1 };
    },
  };
  return { runtime, requests };
}

const get = async <T>(path: string) => {
  const res = await call<T>("GET", path, undefined, token);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const heartbeat = (at: number) => worker.scheduled(createScheduledController({ scheduledTime: at, cron: "* * * * *" }), env);
const runOf = (jobId: string, status: string) =>
  eventually(
    async () =>
      (await env.DB.prepare("SELECT id, status, error, attempts, cost_usd AS costUsd FROM job_runs WHERE job_id = ? AND status = ?")
        .bind(jobId, status)
        .first<{ id: string; error: string | null; attempts: number; costUsd: number }>()) ?? undefined,
  );

/** `sender` asks on an allowlisted (paired) webhook channel; the agent schedules the job through its tool. */
async function scheduleThroughAgent(sender: string, jobName: string): Promise<{ channelId: string; job: Job }> {
  const channel = await createWebhookChannel(token, { policy: "allowlist", allowlist: [sender] });
  vi.spyOn(conversationAgent, "runtime").mockReturnValue(schedulingModel(jobName, "Give me one short gardening tip.").runtime);
  expect((await signedPost(channel.url, channel.secret, message(sender, "Send me a gardening tip every minute"))).status).toBe(200);
  const reply = await eventually(async () => callbacks.captured.find((c) => c.body.recipient === sender));
  expect(reply.body.text).toMatch(/^done: \{"scheduled":"job_/);
  const { jobs } = await get<{ jobs: Job[] }>("/api/jobs");
  const job = jobs.find((j) => j.name === jobName);
  expect(job, "the tool created the job").toBeDefined();
  return { channelId: channel.id, job: job! };
}

describe("a job the agent creates for a sender", () => {
  it("belongs to the sender: listed with its owner, runs with their trust, and its usage shows under them", async () => {
    const { channelId, job } = await scheduleThroughAgent("alice", "alice-tips");
    expect(job.owner).toEqual({ channelId, senderId: "alice" });
    expect(job.deliverTo).toEqual({ channelId, recipient: "alice" });
    // An admin's job has no owner, and the owner cannot be set through the API.
    const admin = await call<{ job: Job }>("POST", "/api/jobs", { name: "admin-digest", cron: "0 9 * * *", steps: [{ prompt: "Digest" }] }, token);
    expect(admin.body.job.owner).toBeNull();
    const forged = await call<{ error: string }>("PUT", `/api/jobs/${admin.body.job.id}`, { owner: { channelId, senderId: "alice" } }, token);
    expect(forged.status).toBe(400);

    const model = scriptedRuntime([{ text: "Water in the morning.", costUsd: 0.25 }]);
    vi.spyOn(schedulerAgent, "runtime").mockReturnValue(model.runtime);
    await heartbeat(job.nextRunAt);
    const run = await runOf(job.id, "ok");
    expect(run.costUsd).toBeCloseTo(0.25, 9);
    const delivered = await eventually(async () => callbacks.captured.find((c) => c.body.recipient === "alice" && c.body.text.includes("Water")));
    expect(delivered.body.text).toBe("[alice-tips] Water in the morning.");
    // The run is the job's own conversation, with the trust of the sender who wrote its prompt.
    expect(model.requests).toHaveLength(1);
    expect(model.requests[0]).toMatchObject({ senderId: `job:${job.id}`, trust: "paired", text: "Give me one short gardening tip." });

    // The sender's usage is their conversation turn plus the job's run.
    const { senders } = await get<{ senders: SenderUsage[] }>(`/api/usage/senders?channelId=${channelId}`);
    expect(senders).toHaveLength(1);
    expect(senders[0]).toMatchObject({ channelId, senderId: "alice", calls: 2, runs: 2 });
    expect(senders[0]!.costUsd).toBeCloseTo(TURN_COST_USD + 0.25, 9);
    const scheduler = await get<{ senders: SenderUsage[] }>("/api/usage/senders?channelId=scheduler");
    expect(scheduler.senders.find((s) => s.senderId === `job:${job.id}`)).toBeUndefined();
    // The rows still name the job: its run id and its own session.
    const { calls } = await get<{ calls: { id: string; channelId: string; senderId: string; sessionId: string; runId: string }[] }>(
      `/api/usage/calls?runId=${run.id}`,
    );
    expect(calls).toEqual([
      expect.objectContaining({ id: `${run.id}:t1:001`, channelId, senderId: "alice", sessionId: `scheduler:job:${job.id}`, runId: run.id }),
    ]);
  });

  it("is skipped, with the reason and a budget.exceeded event, once its sender's daily cap is spent, while an admin's job still runs", async () => {
    const { channelId, job } = await scheduleThroughAgent("bob", "bob-tips");
    const admin = (await call<{ job: Job }>("POST", "/api/jobs", { name: "admin-minutely", cron: "* * * * *", steps: [{ prompt: "Report" }] }, token)).body.job;
    // Bob's conversations spent $2.50 today (besides the scheduling turn); the default cap is $2 per sender a day.
    await env.DB.prepare(
      `INSERT INTO api_calls (id, created_at, channel_id, sender_id, session_id, run_id, purpose, mode, model, status, cost_usd)
       VALUES (?, ?, ?, 'bob', ?, 'run_bob_spent', 'turn', 'direct', 'claude-sonnet-5-5', 'ok', 2.5)`,
    )
      .bind("run_bob_spent:001", Date.now(), channelId, `${channelId}:bob`)
      .run();

    const model = scriptedRuntime([{ text: "All quiet.", costUsd: 0.01 }]);
    vi.spyOn(schedulerAgent, "runtime").mockReturnValue(model.runtime);
    await heartbeat(Math.max(job.nextRunAt, admin.nextRunAt));
    const skipped = await runOf(job.id, "skipped");
    const resetsAt = utcDayStart(Date.now()) + DAY_MS;
    expect(skipped.error).toBe(
      `skipped: the sender's daily cost cap is reached ($2.50 of $2.00 spent today); it resets at ${new Date(resetsAt).toISOString().slice(0, 16)}Z`,
    );
    expect(skipped.attempts).toBe(0);
    await runOf(admin.id, "ok");
    // The model was asked for the admin's job only (once, or twice if the two jobs' first times straddle a minute).
    expect(new Set(model.requests.map((r) => r.senderId))).toEqual(new Set([`job:${admin.id}`]));

    const { events } = await get<{ events: { kind: string; channelId: string; senderId: string; detail: Record<string, unknown> }[] }>(
      `/api/events?kind=budget.exceeded&channelId=${channelId}`,
    );
    expect(events).toEqual([
      expect.objectContaining({
        channelId,
        senderId: "bob",
        detail: {
          scope: "sender_cost",
          used: expect.closeTo(2.5 + TURN_COST_USD, 9),
          limit: 2,
          resetsAt,
          jobId: job.id,
          runId: skipped.id,
          action: "run skipped",
        },
      }),
    ]);
    // Nothing was charged for the skipped run; bob's spend is still only his conversations'.
    const { senders } = await get<{ senders: SenderUsage[] }>(`/api/usage/senders?channelId=${channelId}&senderId=bob`);
    expect(senders[0]!.costUsd).toBeCloseTo(2.5 + TURN_COST_USD, 9);
  });

  it("counts against the sender's token cap too", async () => {
    const { channelId, job } = await scheduleThroughAgent("carol", "carol-tips");
    await env.DB.prepare(
      `INSERT INTO api_calls (id, created_at, channel_id, sender_id, session_id, run_id, purpose, mode, model, input_tokens, output_tokens, status, cost_usd)
       VALUES (?, ?, ?, 'carol', ?, 'run_carol_spent', 'turn', 'direct', 'claude-sonnet-5-5', 250000, 50000, 'ok', 0)`,
    )
      .bind("run_carol_spent:001", Date.now(), channelId, `${channelId}:carol`)
      .run();
    const model = scriptedRuntime([]);
    vi.spyOn(schedulerAgent, "runtime").mockReturnValue(model.runtime);
    await heartbeat(job.nextRunAt);
    const skipped = await runOf(job.id, "skipped");
    // 250000 + 50000 seeded, plus the scheduling turn's 40 + 20.
    expect(skipped.error).toMatch(/^skipped: the sender's daily token cap is reached \(300060 of 300000 tokens used today\); it resets at /);
    expect(model.requests).toHaveLength(0);
  });
});
