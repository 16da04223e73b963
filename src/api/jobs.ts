/**
 * Scheduled jobs: `GET/POST /api/jobs`, `GET/PUT/DELETE /api/jobs/:id`,
 * `POST /api/jobs/:id/pause|resume|run`, `GET /api/jobs/:id/runs`, and
 * `GET /api/cron/preview?expr=&tz=` for the dashboard's "next runs" as the admin types.
 * The heartbeat (src/scheduler/heartbeat.ts) runs them; the JobRunner object executes them.
 */
import { and, desc, eq } from "drizzle-orm";
import { Hono } from "hono";
import * as z from "zod";
import { newId } from "../crypto/random";
import { channels, jobRuns, jobs } from "../db/schema";
import { DEFAULT_TIMEZONE, parseCron } from "../cron/cron";
import { cronError, DEFAULT_RETRY_BACKOFF_MS, jobCreateBody, jobUpdateBody, presentJob, type DeliveryTarget } from "../scheduler/job-schema";
import { jobRunner } from "../objects/addresses";
import type { AppEnv } from "./context";
import { fail } from "./errors";
import { validate } from "./validate";

type Ctx = { var: AppEnv["Variables"]; env: Env };
type JobRow = typeof jobs.$inferSelect;

async function getJob(c: Ctx, id: string): Promise<JobRow> {
  const row = await c.var.db.select().from(jobs).where(eq(jobs.id, id)).get();
  if (!row) fail(404, `no job ${id}`);
  return row;
}

async function checkTarget(c: Ctx, target: DeliveryTarget | null | undefined): Promise<void> {
  if (!target) return;
  const channel = await c.var.db.select({ id: channels.id }).from(channels).where(eq(channels.id, target.channelId)).get();
  if (!channel) fail(400, `deliverTo.channelId: no channel ${target.channelId}`);
}

/** The first due time after now; a valid expression always has one (checked by parseCron). */
function firstRun(cron: string, timezone: string, now: number): number | null {
  const parsed = parseCron(cron, timezone);
  return parsed.ok ? parsed.schedule.nextAfter(now) : null;
}

export const jobRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const rows = await c.var.db.select().from(jobs).orderBy(jobs.createdAt);
    const now = Date.now();
    return c.json({ jobs: rows.map((r) => presentJob(r, now, 1)) });
  })
  .post("/", validate("json", jobCreateBody), async (c) => {
    const body = c.req.valid("json");
    const timezone = body.timezone ?? DEFAULT_TIMEZONE;
    const bad = cronError(body.cron, timezone);
    if (bad) fail(400, bad);
    await checkTarget(c, body.deliverTo);
    const now = Date.now();
    const [row] = await c.var.db
      .insert(jobs)
      .values({
        id: newId("job"),
        name: body.name,
        cron: body.cron,
        timezone,
        steps: JSON.stringify(body.steps),
        deliverTo: body.deliverTo ? JSON.stringify(body.deliverTo) : null,
        catchUp: body.catchUp ?? "skip",
        retryAttempts: body.retry?.attempts ?? 1,
        retryBackoffMs: Math.round((body.retry?.backoffSeconds ?? DEFAULT_RETRY_BACKOFF_MS / 1000) * 1000),
        status: "active",
        nextRunAt: firstRun(body.cron, timezone, now),
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    if (!row) fail(500, "could not create the job");
    return c.json({ job: presentJob(row, now) }, 201);
  })
  .get("/:id", async (c) => c.json({ job: presentJob(await getJob(c, c.req.param("id")), Date.now()) }))
  .put("/:id", validate("json", jobUpdateBody), async (c) => {
    const row = await getJob(c, c.req.param("id"));
    const body = c.req.valid("json");
    const cron = body.cron ?? row.cron;
    const timezone = body.timezone ?? row.timezone;
    const bad = cronError(cron, timezone);
    if (bad) fail(400, bad);
    await checkTarget(c, body.deliverTo);
    const now = Date.now();
    const rescheduled = cron !== row.cron || timezone !== row.timezone;
    const [updated] = await c.var.db
      .update(jobs)
      .set({
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.steps !== undefined ? { steps: JSON.stringify(body.steps) } : {}),
        ...(body.deliverTo !== undefined ? { deliverTo: body.deliverTo ? JSON.stringify(body.deliverTo) : null } : {}),
        ...(body.catchUp !== undefined ? { catchUp: body.catchUp } : {}),
        ...(body.retry !== undefined
          ? { retryAttempts: body.retry.attempts, retryBackoffMs: Math.round((body.retry.backoffSeconds ?? row.retryBackoffMs / 1000) * 1000) }
          : {}),
        // A new schedule starts from now: due times of the old one are not owed.
        ...(rescheduled ? { cron, timezone, nextRunAt: firstRun(cron, timezone, now) } : {}),
        updatedAt: now,
      })
      .where(eq(jobs.id, row.id))
      .returning();
    if (!updated) fail(404, `no job ${row.id}`);
    return c.json({ job: presentJob(updated, now) });
  })
  .delete("/:id", async (c) => {
    const row = await getJob(c, c.req.param("id"));
    await c.var.db.batch([c.var.db.delete(jobRuns).where(eq(jobRuns.jobId, row.id)), c.var.db.delete(jobs).where(eq(jobs.id, row.id))]);
    return c.json({ deleted: row.id });
  })
  .post("/:id/pause", async (c) => {
    const row = await getJob(c, c.req.param("id"));
    const now = Date.now();
    const [updated] = await c.var.db.update(jobs).set({ status: "paused", updatedAt: now }).where(eq(jobs.id, row.id)).returning();
    return c.json({ job: presentJob(updated ?? row, now) });
  })
  .post("/:id/resume", async (c) => {
    const row = await getJob(c, c.req.param("id"));
    const now = Date.now();
    // nextRunAt is kept: due times that passed while paused are settled by the catch-up policy.
    const [updated] = await c.var.db
      .update(jobs)
      .set({ status: "active", nextRunAt: row.nextRunAt ?? firstRun(row.cron, row.timezone, now), updatedAt: now })
      .where(eq(jobs.id, row.id))
      .returning();
    return c.json({ job: presentJob(updated ?? row, now) });
  })
  .post("/:id/run", async (c) => {
    const row = await getJob(c, c.req.param("id"));
    const now = Date.now();
    const [run] = await c.var.db
      .insert(jobRuns)
      .values({ id: newId("jrun"), jobId: row.id, scheduledFor: now, trigger: "manual", status: "queued", nextAttemptAt: now, createdAt: now })
      .returning();
    await jobRunner(c.env, row.id).wake(row.id);
    return c.json({ run }, 202);
  })
  .get(
    "/:id/runs",
    validate(
      "query",
      z.object({
        limit: z.coerce.number().int().min(1).max(500).default(50),
        status: z.enum(["queued", "running", "retrying", "ok", "failed", "skipped", "missed"]).optional(),
      }),
    ),
    async (c) => {
      const row = await getJob(c, c.req.param("id"));
      const q = c.req.valid("query");
      const runs = await c.var.db
        .select()
        .from(jobRuns)
        .where(and(eq(jobRuns.jobId, row.id), q.status ? eq(jobRuns.status, q.status) : undefined))
        .orderBy(desc(jobRuns.scheduledFor))
        .limit(q.limit);
      return c.json({ runs: runs.map((r) => ({ ...r, stepOutputs: r.stepOutputs ? (JSON.parse(r.stepOutputs) as string[]) : [] })) });
    },
  );

export const cronRoutes = new Hono<AppEnv>().get(
  "/preview",
  validate("query", z.object({ expr: z.string().min(1, "expr is required").max(200), tz: z.string().max(64).optional() })),
  (c) => {
    const { expr, tz } = c.req.valid("query");
    const parsed = parseCron(expr, tz || DEFAULT_TIMEZONE);
    if (!parsed.ok) return c.json({ error: parsed.error, field: parsed.field }, 400);
    const next = parsed.schedule.nextRuns(5, Date.now());
    return c.json({ expr: parsed.schedule.expression, timezone: parsed.schedule.timezone, next: next.map((t) => new Date(t).toISOString()) });
  },
);
