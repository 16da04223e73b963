/**
 * The capability behind the `schedule_job` tool: a sender asks the agent for something on a
 * schedule ("every weekday at 8, send me the weather summary") and gets a scheduler job whose
 * result is delivered back to them on the same channel. The job belongs to the sender (its
 * owner columns): its runs are charged to them and skipped once their daily budget is spent
 * (src/scheduler/budget-gate.ts). A sender may hold a few active jobs at most.
 */
import { and, count, eq } from "drizzle-orm";
import { newId } from "../crypto/random";
import type { Db } from "../db/client";
import { jobs } from "../db/schema";
import { DEFAULT_TIMEZONE, parseCron } from "../cron/cron";
import type { ScheduleJob } from "./types";

export const MAX_JOBS_PER_SENDER = 10;

export function jobScheduler(db: Db, channelId: string, senderId: string, now: () => number = Date.now): ScheduleJob {
  const deliverTo = JSON.stringify({ channelId, recipient: senderId });
  return async (input) => {
    const name = input.name.trim().slice(0, 100);
    const prompt = input.prompt.trim();
    if (!name || !prompt || prompt.length > 20_000) return { ok: false, error: "name and prompt (at most 20000 characters) are required" };
    const timezone = input.timezone?.trim() || DEFAULT_TIMEZONE;
    const parsed = parseCron(input.cron.trim(), timezone);
    if (!parsed.ok) return { ok: false, error: `${parsed.field}: ${parsed.error}` };
    // Counted by owner, not by delivery target: an admin may redirect a job's results, it stays theirs.
    const mine = await db
      .select({ n: count() })
      .from(jobs)
      .where(and(eq(jobs.ownerChannelId, channelId), eq(jobs.ownerSenderId, senderId), eq(jobs.status, "active")))
      .get();
    if ((mine?.n ?? 0) >= MAX_JOBS_PER_SENDER) return { ok: false, error: `this sender already has ${MAX_JOBS_PER_SENDER} active jobs` };
    const t = now();
    const jobId = newId("job");
    await db.insert(jobs).values({
      id: jobId,
      name,
      cron: input.cron.trim(),
      timezone,
      steps: JSON.stringify([{ prompt }]),
      deliverTo,
      ownerChannelId: channelId,
      ownerSenderId: senderId,
      catchUp: "skip",
      retryAttempts: 1,
      retryBackoffMs: 60_000,
      status: "active",
      nextRunAt: parsed.schedule.nextAfter(t),
      createdAt: t,
      updatedAt: t,
    });
    return { ok: true, jobId, nextRuns: parsed.schedule.nextRuns(3, t) };
  };
}
