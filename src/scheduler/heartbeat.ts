/**
 * The scheduler's part of the Cron heartbeat (every minute): claim the due times of due jobs
 * and hand their runs to the jobs' runners, wake runners whose runs have stalled, and resume
 * loop tasks that have gone silent. It only claims and wakes; the work runs in the objects.
 */
import { and, eq, inArray, isNotNull, lt, lte, or } from "drizzle-orm";
import { utcDayStart } from "../agent/budget";
import type { BatchItem } from "drizzle-orm/batch";
import { newId } from "../crypto/random";
import { openDb, type Db } from "../db/client";
import { jobRuns, jobs, loopTasks } from "../db/schema";
import { parseCron } from "../cron/cron";
import { planDueTimes } from "../cron/due-times";
import { jobRunner, loopTask } from "../objects/addresses";
import { createLogger } from "../lib/log";

const log = createLogger("scheduler");

/** A running loop task that has not written for this long is resumed by the heartbeat. */
export const LOOP_STALL_MS = 3 * 60_000;
/** Due jobs handled per heartbeat; the rest wait a minute (their due times are not lost). */
const JOBS_PER_HEARTBEAT = 50;

type Job = typeof jobs.$inferSelect;

/** Claims a job's due times atomically: run rows (unique per due time) and the job's next time. */
export async function claimDueTimes(db: Db, job: Job, now: number): Promise<{ queued: string[]; recorded: number }> {
  const pendingFrom = job.nextRunAt ?? now;
  const parsed = parseCron(job.cron, job.timezone);
  if (!parsed.ok) {
    await db.update(jobs).set({ nextRunAt: null, updatedAt: now }).where(eq(jobs.id, job.id));
    log.error("job has an invalid cron expression; not scheduling it", { jobId: job.id, error: parsed.error });
    return { queued: [], recorded: 0 };
  }
  const plan = planDueTimes(parsed.schedule, pendingFrom, now, job.catchUp);
  // The runner compares try times with its own clock, not with the heartbeat's minute.
  const claimedAt = Date.now();
  const inserts = plan.decisions.map((d) =>
    db
      .insert(jobRuns)
      .values({
        id: newId("jrun"),
        jobId: job.id,
        scheduledFor: d.scheduledFor,
        trigger: d.trigger,
        status: d.status,
        error: d.note ?? null,
        nextAttemptAt: d.status === "queued" ? claimedAt : null,
        finishedAt: d.status === "queued" ? null : claimedAt,
        createdAt: claimedAt,
      })
      .onConflictDoNothing()
      .returning({ id: jobRuns.id, status: jobRuns.status }),
  );
  const advance = db
    .update(jobs)
    .set({ nextRunAt: plan.nextRunAt, updatedAt: now })
    .where(and(eq(jobs.id, job.id), eq(jobs.nextRunAt, pendingFrom)));
  // One transaction: a due time is never advanced past without its row, and a row that
  // exists already (a second heartbeat) is not claimed again.
  const results = (await db.batch([advance, ...inserts] as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]])) as unknown[];
  const claimed = results.slice(1).flatMap((r) => r as { id: string; status: string }[]);
  return { queued: claimed.filter((r) => r.status === "queued").map((r) => r.id), recorded: claimed.length };
}

async function startDueJobs(env: Env, db: Db, now: number): Promise<number> {
  const due = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.status, "active"), isNotNull(jobs.nextRunAt), lte(jobs.nextRunAt, now)))
    .orderBy(jobs.nextRunAt)
    .limit(JOBS_PER_HEARTBEAT);
  let started = 0;
  for (const job of due) {
    const { queued } = await claimDueTimes(db, job, now);
    if (queued.length > 0) {
      await jobRunner(env, job.id).wake(job.id);
      started += queued.length;
    }
  }
  return started;
}

/** Runs whose try should have started by now (a runner evicted mid-run, a lost alarm). */
async function wakeStalledRunners(env: Env, db: Db, now: number): Promise<number> {
  const stalled = await db
    .selectDistinct({ jobId: jobRuns.jobId })
    .from(jobRuns)
    .where(and(inArray(jobRuns.status, ["queued", "retrying", "running"]), lt(jobRuns.nextAttemptAt, now - 60_000)))
    .limit(JOBS_PER_HEARTBEAT);
  for (const { jobId } of stalled) await jobRunner(env, jobId).wake(jobId);
  return stalled.length;
}

/**
 * Running tasks gone silent, and budget-paused tasks still paused from an earlier UTC day
 * (their midnight alarm was lost): each is told to resume, which re-arms a missing alarm.
 */
async function resumeStalledTasks(env: Env, db: Db, now: number): Promise<number> {
  const stalled = await db
    .select({ id: loopTasks.id })
    .from(loopTasks)
    .where(
      or(
        and(eq(loopTasks.status, "running"), lt(loopTasks.updatedAt, now - LOOP_STALL_MS)),
        and(eq(loopTasks.status, "stopped"), eq(loopTasks.stopReason, "budget"), lt(loopTasks.updatedAt, utcDayStart(now))),
      ),
    )
    .limit(JOBS_PER_HEARTBEAT);
  let resumed = 0;
  for (const { id } of stalled) if (await loopTask(env, id).resume()) resumed++;
  return resumed;
}

/** Never throws: one failing part must not stop the others, nor the rest of the heartbeat. */
export async function schedulerHeartbeat(env: Env, now: number): Promise<void> {
  const db = openDb(env.DB);
  const parts = {
    jobsStarted: () => startDueJobs(env, db, now),
    runnersWoken: () => wakeStalledRunners(env, db, now),
    tasksResumed: () => resumeStalledTasks(env, db, now),
  };
  const summary: Record<string, number> = {};
  for (const [name, part] of Object.entries(parts)) {
    try {
      summary[name] = await part();
    } catch (err) {
      log.error("scheduler heartbeat part failed", { part: name, error: String(err) });
    }
  }
  if (Object.values(summary).some((n) => n > 0)) log.info("scheduler heartbeat", { at: now, ...summary });
}
