/**
 * Server tools switched on per loop task and per job step: the task's `serverTools` is stored
 * and reaches every iteration's turn; a recipe step's reaches that step only; a task without
 * them gets none; malformed ones are refused with a 400.
 */
import { env } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { runRecipe } from "../../src/scheduler/recipe";
import { schedulerAgent } from "../../src/scheduler/runtime-factory";
import { scriptedRuntime } from "../fakes/scripted-runtime";
import { adminToken, call, eventually, isolateScheduledWork } from "./helpers";

let token: string;
beforeAll(async () => {
  token = await adminToken();
});
isolateScheduledWork();
afterEach(() => vi.restoreAllMocks());

const serverTools = { webSearch: { maxUses: 2, allowedDomains: ["example.com"] } };

async function runTask(extra: Record<string, unknown>) {
  const fake = scriptedRuntime(["done <promise>DONE</promise>"]);
  vi.spyOn(schedulerAgent, "runtime").mockReturnValue(fake.runtime);
  const res = await call<{ task: { id: number } }>("POST", "/api/tasks", { name: "research", prompt: "Find the news.", maxIterations: 2, ...extra }, token);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await eventually(async () => {
    const row = await env.DB.prepare("SELECT status FROM loop_tasks WHERE id = ?").bind(res.body.task.id).first<{ status: string }>();
    return row?.status === "running" ? undefined : row;
  });
  return fake.requests;
}

describe("server tools for scheduled work", () => {
  it("a loop task's reach each of its iterations; a task without them gets none", async () => {
    const withTools = await runTask({ serverTools });
    expect(withTools[0]!.settings).toEqual({ serverTools });
    const without = await runTask({});
    expect(without[0]!.settings ?? null).toBeNull();
  });

  it("refuses malformed ones", async () => {
    const res = await call(
      "POST",
      "/api/tasks",
      { name: "x", prompt: "p", maxIterations: 1, serverTools: { webSearch: { allowedDomains: ["a.com"], blockedDomains: ["b.com"] } } },
      token,
    );
    expect(res.status).toBe(400);
  });

  it("a job step's reach that step only", async () => {
    const fake = scriptedRuntime(["one", "two"]);
    await runRecipe(fake.runtime, [{ prompt: "search", serverTools }, { prompt: "summarise" }], { jobId: "job_1", jobName: "news", trust: "admin" });
    expect(fake.requests[0]!.settings).toEqual({ serverTools });
    expect(fake.requests[1]!.settings).toBeUndefined();
  });
});
