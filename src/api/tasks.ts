/**
 * Loop tasks, with the original product's paths: `GET/POST /api/tasks`,
 * `POST /api/tasks/:id/start|stop`, `GET /api/tasks/:id/output`, `DELETE /api/tasks/:id`, and
 * `PATCH /api/tasks/:id` to edit a task that is not running. A task that reached its goal is
 * not started again as it is (it would only say it is done once more, at a cost): its prompt
 * or settings are edited first, which makes it ready to run again.
 * Each task runs in its LoopTask object (workers/loop-task.ts); D1 holds what is listed.
 */
import { and, asc, desc, eq, gt } from "drizzle-orm";
import { Hono } from "hono";
import * as z from "zod";
import { channels, loopIterations, loopTasks } from "../db/schema";
import { deliveryTarget, type DeliveryTarget } from "../scheduler/job-schema";
import { DEFAULT_COMPLETION_PROMISE, DEFAULT_NO_PROGRESS_LIMIT } from "../scheduler/loop-policy";
import { loopTask } from "../objects/addresses";
import type { AppEnv } from "./context";
import { fail } from "./errors";
import { validate } from "./validate";
import { serverToolsSchema } from "../agent/server-tools";

export const MAX_LOOP_ITERATIONS = 1000;

const taskCreateBody = z.strictObject({
  name: z.string().trim().min(1, "name is required").max(100),
  prompt: z.string().trim().min(1, "prompt is required").max(50_000),
  maxIterations: z.int().min(1).max(MAX_LOOP_ITERATIONS),
  completionPromise: z.string().min(1).max(200).optional(),
  costCapUsd: z.number().positive().max(10_000).optional(),
  noProgressLimit: z.int().min(1).max(100).optional(),
  notify: deliveryTarget.optional(),
  /** Web search, web fetch, code execution for its iterations (src/agent/server-tools.ts). */
  serverTools: serverToolsSchema.optional(),
});

const taskUpdateBody = taskCreateBody.omit({ serverTools: true }).partial().extend({ notify: deliveryTarget.nullable().optional() });

const idParam = validate("param", z.object({ id: z.coerce.number().int().positive("id must be a task number") }));

type TaskRow = typeof loopTasks.$inferSelect;
type Ctx = { var: AppEnv["Variables"]; env: Env };

function present(row: TaskRow) {
  const { notify, ...rest } = row;
  return { ...rest, notify: notify ? (JSON.parse(notify) as DeliveryTarget) : null };
}

async function getTask(c: Ctx, id: number): Promise<TaskRow> {
  const row = await c.var.db.select().from(loopTasks).where(eq(loopTasks.id, id)).get();
  if (!row) fail(404, `no loop task ${id}`);
  return row;
}

async function startTask(c: Ctx, row: TaskRow): Promise<void> {
  const result = await loopTask(c.env, row.id).start({
    taskId: row.id,
    name: row.name,
    prompt: row.prompt,
    maxIterations: row.maxIterations,
    completionPromise: row.completionPromise,
    costCapUsd: row.costCapUsd,
    noProgressLimit: row.noProgressLimit,
    notify: row.notify ? (JSON.parse(row.notify) as DeliveryTarget) : null,
    serverTools: row.serverTools ? serverToolsSchema.parse(JSON.parse(row.serverTools)) : null,
  });
  if (result.ok) return;
  // A budget-paused task resumes by itself when the cap resets; starting it early needs room in the budget.
  if (result.reason === "over_budget") fail(409, `loop task ${row.id} stays paused: ${result.note}`);
  fail(409, `loop task ${row.id} is already running`);
}

export const taskRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const rows = await c.var.db.select().from(loopTasks).orderBy(desc(loopTasks.id)).limit(500);
    return c.json({ tasks: rows.map(present) });
  })
  .post("/", validate("json", taskCreateBody), async (c) => {
    const body = c.req.valid("json");
    if (body.notify) {
      const channel = await c.var.db.select({ id: channels.id }).from(channels).where(eq(channels.id, body.notify.channelId)).get();
      if (!channel) fail(400, `notify.channelId: no channel ${body.notify.channelId}`);
    }
    const now = Date.now();
    const [row] = await c.var.db
      .insert(loopTasks)
      .values({
        name: body.name,
        prompt: body.prompt,
        maxIterations: body.maxIterations,
        completionPromise: body.completionPromise ?? DEFAULT_COMPLETION_PROMISE,
        costCapUsd: body.costCapUsd ?? null,
        noProgressLimit: body.noProgressLimit ?? DEFAULT_NO_PROGRESS_LIMIT,
        notify: body.notify ? JSON.stringify(body.notify) : null,
        serverTools: body.serverTools ? JSON.stringify(body.serverTools) : null,
        status: "running",
        createdAt: now,
        startedAt: now,
        updatedAt: now,
      })
      .returning();
    if (!row) fail(500, "could not create the task");
    await startTask(c, row);
    return c.json({ task: present(await getTask(c, row.id)) }, 201);
  })
  .get("/:id", idParam, async (c) => c.json({ task: present(await getTask(c, c.req.valid("param").id)) }))
  .patch("/:id", idParam, validate("json", taskUpdateBody), async (c) => {
    const row = await getTask(c, c.req.valid("param").id);
    if (row.status === "running") fail(409, `loop task ${row.id} is running; stop it before editing it`);
    const body = c.req.valid("json");
    if (body.notify) {
      const channel = await c.var.db.select({ id: channels.id }).from(channels).where(eq(channels.id, body.notify.channelId)).get();
      if (!channel) fail(400, `notify.channelId: no channel ${body.notify.channelId}`);
    }
    const finished = row.status === "completed" || row.status === "failed";
    const [updated] = await c.var.db
      .update(loopTasks)
      .set({
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.prompt !== undefined ? { prompt: body.prompt } : {}),
        ...(body.maxIterations !== undefined ? { maxIterations: body.maxIterations } : {}),
        ...(body.completionPromise !== undefined ? { completionPromise: body.completionPromise } : {}),
        ...(body.costCapUsd !== undefined ? { costCapUsd: body.costCapUsd } : {}),
        ...(body.noProgressLimit !== undefined ? { noProgressLimit: body.noProgressLimit } : {}),
        ...(body.notify !== undefined ? { notify: body.notify ? JSON.stringify(body.notify) : null } : {}),
        // An edited finished task is ready to run again with what changed.
        ...(finished ? { status: "stopped" as const, stopReason: "edited" } : {}),
        updatedAt: Date.now(),
      })
      .where(eq(loopTasks.id, row.id))
      .returning();
    if (!updated) fail(404, `no loop task ${row.id}`);
    return c.json({ task: present(updated) });
  })
  .post("/:id/start", idParam, async (c) => {
    const row = await getTask(c, c.req.valid("param").id);
    if (row.status === "running") fail(409, `loop task ${row.id} is already running`);
    if (row.stopReason === "completed")
      fail(409, `loop task ${row.id} already reached its goal; edit its prompt or settings to give it a new one, then run it again`);
    await startTask(c, row);
    return c.json({ task: present(await getTask(c, row.id)) });
  })
  .post("/:id/stop", idParam, async (c) => {
    const row = await getTask(c, c.req.valid("param").id);
    const result = await loopTask(c.env, row.id).stop();
    if (!result.ok) fail(409, `loop task ${row.id} is not running (${row.status}${row.stopReason ? `: ${row.stopReason}` : ""})`);
    return c.json({ task: present(await getTask(c, row.id)) });
  })
  .get(
    "/:id/output",
    idParam,
    validate("query", z.object({ after: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(1000).default(200) })),
    async (c) => {
      const row = await getTask(c, c.req.valid("param").id);
      const q = c.req.valid("query");
      const iterations = await c.var.db
        .select()
        .from(loopIterations)
        .where(and(eq(loopIterations.taskId, row.id), gt(loopIterations.iteration, q.after)))
        .orderBy(asc(loopIterations.iteration))
        .limit(q.limit);
      const last = await c.var.db
        .select({ output: loopIterations.output })
        .from(loopIterations)
        .where(and(eq(loopIterations.taskId, row.id), eq(loopIterations.status, "ok")))
        .orderBy(desc(loopIterations.iteration))
        .limit(1)
        .get();
      return c.json({
        task: present(row),
        /** The task's result so far: the latest successful iteration's output. */
        output: last?.output ?? null,
        /** Every iteration's output in order, for reading the whole run. */
        transcript: iterations.map((i) => `--- iteration ${i.iteration} (${i.status}) ---\n${i.status === "ok" ? i.output : `error: ${i.error}`}`).join("\n\n"),
        iterations,
      });
    },
  )
  .delete("/:id", idParam, async (c) => {
    const row = await getTask(c, c.req.valid("param").id);
    await loopTask(c.env, row.id).forget();
    await c.var.db.batch([
      c.var.db.delete(loopIterations).where(eq(loopIterations.taskId, row.id)),
      c.var.db.delete(loopTasks).where(eq(loopTasks.id, row.id)),
    ]);
    return c.json({ deleted: row.id });
  });
