/**
 * Loop tasks through the real Worker: `POST /api/tasks` starts a LoopTask object whose alarms
 * run the iterations; each test ends the loop a different way. Some use the offline echo
 * model (its output repeats once the conversation holds one earlier exchange), others a
 * scripted model.
 */
import { abortAllDurableObjects, createScheduledController, env, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../../workers";
import { ECHO_PREFIX } from "../../src/agent/echo";
import { schedulerAgent } from "../../src/scheduler/runtime-factory";
import { loopTask } from "../../src/objects/addresses";
import { gate, scriptedRuntime } from "../fakes/scripted-runtime";
import { adminToken, call, createWebhookChannel, eventually, fakeCallbacks, untilNoAlarm } from "./helpers";

let token: string;
beforeAll(async () => {
  token = await adminToken();
});
afterEach(() => vi.restoreAllMocks());

interface Task {
  id: number;
  status: string;
  stopReason: string | null;
  iterations: number;
  costUsd: number;
}
interface Iteration {
  iteration: number;
  status: string;
  output: string;
  progress: boolean;
}

async function createTask(body: Record<string, unknown>): Promise<Task> {
  const res = await call<{ task: Task }>(
    "POST",
    "/api/tasks",
    { name: `task-${crypto.randomUUID().slice(0, 6)}`, prompt: "Write a haiku about the sea.", maxIterations: 5, ...body },
    token,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.task;
}

/** Polls D1 directly, so waiting does not spend the API's per-IP request budget. */
async function finished(id: number, timeoutMs = 5000): Promise<Task> {
  return eventually(async () => {
    const row = await env.DB.prepare("SELECT status FROM loop_tasks WHERE id = ?").bind(id).first<{ status: string }>();
    if (row?.status === "running") return undefined;
    return (await call<{ task: Task }>("GET", `/api/tasks/${id}`, undefined, token)).body.task;
  }, timeoutMs);
}

async function output(id: number) {
  return (await call<{ output: string | null; transcript: string; iterations: Iteration[] }>("GET", `/api/tasks/${id}/output`, undefined, token)).body;
}

async function iterationCount(id: number): Promise<number> {
  return (await env.DB.prepare("SELECT COUNT(*) AS n FROM loop_iterations WHERE task_id = ?").bind(id).first<{ n: number }>())?.n ?? 0;
}

describe("a loop task ends", () => {
  it("when the agent gives the completion promise, and notifies the chosen channel", async () => {
    const fake = scriptedRuntime(["first draft", "final haiku <promise>DONE</promise>"]);
    vi.spyOn(schedulerAgent, "runtime").mockReturnValue(fake.runtime);
    const callbacks = fakeCallbacks();
    const channel = await createWebhookChannel(token);
    const task = await createTask({ name: "haiku", notify: { channelId: channel.id, recipient: "bob" } });
    expect(task.status).toBe("running");
    const done = await finished(task.id);
    expect(done).toMatchObject({ status: "completed", stopReason: "completed", iterations: 2 });
    expect(done.costUsd).toBeCloseTo(0.002);
    // The second iteration saw the prompt and the first output.
    expect(fake.requests[1]).toMatchObject({
      text: "Write a haiku about the sea.",
      history: [
        { role: "user", content: "Write a haiku about the sea." },
        { role: "assistant", content: "first draft" },
      ],
    });
    const out = await output(task.id);
    expect(out.output).toBe("final haiku <promise>DONE</promise>");
    expect(out.iterations.map((i) => i.output)).toEqual(["first draft", "final haiku <promise>DONE</promise>"]);
    expect(out.transcript).toContain("--- iteration 1 (ok) ---\nfirst draft");
    const notice = await eventually(async () => callbacks.captured.find((c) => c.body.recipient === "bob"));
    expect(notice.body.text).toContain('Loop task "haiku" completed');
    const kinds = await env.DB.prepare("SELECT kind FROM events WHERE kind LIKE 'loop.%' AND json_extract(detail, '$.taskId') = ? ORDER BY id")
      .bind(task.id)
      .all<{ kind: string }>();
    // Ids within one millisecond are not ordered, so compare the kinds as a set with counts.
    expect(kinds.results.map((k) => k.kind).sort()).toEqual(["loop.finished", "loop.iteration", "loop.iteration", "loop.started"]);
  });

  it("at maxIterations (offline echo model)", async () => {
    const task = await createTask({ maxIterations: 3 });
    expect(await finished(task.id)).toMatchObject({ status: "completed", stopReason: "max_iterations", iterations: 3 });
    const out = await output(task.id);
    expect(out.iterations.map((i) => i.iteration)).toEqual([1, 2, 3]);
    expect(out.iterations[0]!.output).toBe(`${ECHO_PREFIX} (turn 1) You said: Write a haiku about the sea.`);
    expect(out.iterations[1]!.output).toBe(`${ECHO_PREFIX} (turn 2) You said: Write a haiku about the sea.`);
  });

  it("after N iterations in a row without progress (offline echo model)", async () => {
    // From the third iteration on, the echo answers exactly what it answered before.
    const task = await createTask({ maxIterations: 20, noProgressLimit: 2 });
    expect(await finished(task.id)).toMatchObject({ status: "completed", stopReason: "no_progress", iterations: 4 });
    expect((await output(task.id)).iterations.map((i) => i.progress)).toEqual([true, true, false, false]);
  });

  it("when stopped: the iteration in flight is kept, no further one starts, and it can be restarted", async () => {
    const second = gate();
    const fake = scriptedRuntime(["one", { gate: second.promise }]);
    vi.spyOn(schedulerAgent, "runtime").mockReturnValue(fake.runtime);
    const task = await createTask({ maxIterations: 2 });
    await eventually(async () => fake.requests.length === 2);
    const stopped = await call<{ task: Task }>("POST", `/api/tasks/${task.id}/stop`, undefined, token);
    expect(stopped.status).toBe(200);
    expect(stopped.body.task).toMatchObject({ status: "stopped", stopReason: "stopped" });
    second.open("two");
    await eventually(async () => (await iterationCount(task.id)) === 2);
    await untilNoAlarm(loopTask(env, task.id));
    expect(fake.requests).toHaveLength(2);
    expect(await finished(task.id)).toMatchObject({ status: "stopped", stopReason: "stopped", iterations: 2 });
    expect((await call("POST", `/api/tasks/${task.id}/stop`, undefined, token)).status).toBe(409);

    // A restart gets a fresh budget and goes on from the last output.
    const restarted = await call<{ task: Task }>("POST", `/api/tasks/${task.id}/start`, undefined, token);
    expect(restarted.status).toBe(200);
    expect(await finished(task.id)).toMatchObject({ status: "completed", stopReason: "max_iterations", iterations: 4 });
    expect(fake.requests[2]!.history).toEqual([
      { role: "user", content: "Write a haiku about the sea." },
      { role: "assistant", content: "two" },
    ]);
  });

  it("at its cost cap", async () => {
    const fake = scriptedRuntime([
      { text: "a", costUsd: 0.02 },
      { text: "b", costUsd: 0.02 },
      { text: "c", costUsd: 0.02 },
    ]);
    vi.spyOn(schedulerAgent, "runtime").mockReturnValue(fake.runtime);
    const task = await createTask({ maxIterations: 10, costCapUsd: 0.035 });
    expect(await finished(task.id)).toMatchObject({ status: "completed", stopReason: "cost_cap", iterations: 2 });
  });
});

describe("a loop task survives a restart", () => {
  async function tornDownMidIteration() {
    const stuck = gate();
    const fake = scriptedRuntime(["one", { gate: stuck.promise }]);
    vi.spyOn(schedulerAgent, "runtime").mockReturnValue(fake.runtime);
    const task = await createTask({ maxIterations: 3 });
    await eventually(async () => fake.requests.length === 2);
    await abortAllDurableObjects();
    // The torn-down instance's answer arrives too late to be written anywhere.
    stuck.open("lost");
    return { task, fake };
  }

  async function expectFinishedInOrder(id: number) {
    expect(await finished(id)).toMatchObject({ status: "completed", stopReason: "max_iterations", iterations: 3 });
    const out = await output(id);
    expect(out.iterations.map((i) => [i.iteration, i.output])).toEqual([
      [1, "one"],
      [2, "answer 3"],
      [3, "answer 4"],
    ]);
  }

  it("resumes from its own storage when its object is torn down mid-iteration", async () => {
    const { task } = await tornDownMidIteration();
    await expectFinishedInOrder(task.id);
  });

  it("is resumed by the heartbeat when its alarm was lost as well", async () => {
    const { task, fake } = await tornDownMidIteration();
    await runInDurableObject(loopTask(env, task.id), (_instance, state) => state.storage.deleteAlarm());
    // With its alarm gone the object has nothing that could start another iteration.
    expect(fake.requests).toHaveLength(2);
    expect(await iterationCount(task.id)).toBe(1);
    // A heartbeat minutes later finds the task silent and resumes it.
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now() + 10 * 60_000 }), env);
    await expectFinishedInOrder(task.id);
  });
});

describe("the tasks API", () => {
  it("rejects bad input and stores nothing", async () => {
    const before = (await call<{ tasks: Task[] }>("GET", "/api/tasks", undefined, token)).body.tasks.length;
    expect((await call("POST", "/api/tasks", { name: "x", prompt: "y", maxIterations: 0 }, token)).status).toBe(400);
    expect((await call("POST", "/api/tasks", { name: "x", prompt: "", maxIterations: 3 }, token)).status).toBe(400);
    const badNotify = await call<{ error: string }>(
      "POST",
      "/api/tasks",
      { name: "x", prompt: "y", maxIterations: 3, notify: { channelId: "ch_nope", recipient: "a" } },
      token,
    );
    expect(badNotify).toMatchObject({ status: 400, body: { error: "notify.channelId: no channel ch_nope" } });
    expect((await call<{ tasks: Task[] }>("GET", "/api/tasks", undefined, token)).body.tasks).toHaveLength(before);
    expect((await call("GET", "/api/tasks/999999/output", undefined, token)).status).toBe(404);
    expect((await call("GET", "/api/tasks", undefined)).status).toBe(401);
  });

  it("deletes a task with its output", async () => {
    const task = await createTask({ maxIterations: 1 });
    await finished(task.id);
    expect((await call("DELETE", `/api/tasks/${task.id}`, undefined, token)).status).toBe(200);
    expect((await call("GET", `/api/tasks/${task.id}/output`, undefined, token)).status).toBe(404);
    expect(await iterationCount(task.id)).toBe(0);
  });
});
