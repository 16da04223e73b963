/**
 * The account's daily cost cap applied to scheduled work. Before each job run and each loop
 * iteration the scheduler asks `accountBudget`; over the cap, a job run is recorded as
 * `skipped` (a daily digest should not burst out at midnight with everything it missed) and a
 * loop task pauses until the cap resets. Either way the admin sees a `budget.exceeded` event.
 */
import { and, eq, inArray } from "drizzle-orm";
import type { BudgetVerdict } from "../agent/budget";
import type { Db } from "../db/client";
import { jobRuns } from "../db/schema";
import { eventStatement, feedEvent, type FeedEvent } from "../pipeline/records";
import { jobSender, SCHEDULER_CHANNEL_ID } from "./usage-attribution";

export type OverBudget = Extract<BudgetVerdict, { ok: false }>;

const usd = (n: number) => `$${n.toFixed(2)}`;
const isoMinute = (t: number) => `${new Date(t).toISOString().slice(0, 16)}Z`;

/** Why scheduled work did not run, in the words the run record and the API show. */
export function overBudgetNote(verdict: OverBudget): string {
  return `the account's daily cost cap is reached (${usd(verdict.used)} of ${usd(verdict.limit)} spent today); it resets at ${isoMinute(verdict.resetsAt)}`;
}

/** The admin's signal, shaped like the pipeline's (`scope`, `used`, `limit`, `resetsAt`), with what was held back. */
export function budgetExceededEvent(verdict: OverBudget, senderId: string, detail: Record<string, unknown>, at: number): FeedEvent {
  return feedEvent("budget.exceeded", SCHEDULER_CHANNEL_ID, senderId, { scope: verdict.scope, used: verdict.used, limit: verdict.limit, resetsAt: verdict.resetsAt, ...detail }, at);
}

/**
 * Records a due job run as skipped because of the budget, unless another try took it first.
 * Returns the events written (for the live feed), or null when the run was not ours to skip.
 */
export async function skipRunOverBudget(db: Db, run: { id: string; jobId: string; attempts: number; scheduledFor: number; trigger: string }, verdict: OverBudget, now: number): Promise<FeedEvent[] | null> {
  const note = `skipped: ${overBudgetNote(verdict)}`;
  const skipped = await db
    .update(jobRuns)
    .set({ status: "skipped", finishedAt: now, nextAttemptAt: null, error: note })
    .where(and(eq(jobRuns.id, run.id), eq(jobRuns.attempts, run.attempts), inArray(jobRuns.status, ["queued", "retrying", "running"])))
    .returning({ id: jobRuns.id });
  if (skipped.length === 0) return null;
  const events = [
    budgetExceededEvent(verdict, jobSender(run.jobId), { jobId: run.jobId, runId: run.id, action: "run skipped" }, now),
    feedEvent("job.run", SCHEDULER_CHANNEL_ID, jobSender(run.jobId), { jobId: run.jobId, runId: run.id, status: "skipped", scheduledFor: run.scheduledFor, trigger: run.trigger, attempts: run.attempts, error: note }, now),
  ];
  await db.batch([eventStatement(db, events[0]!), eventStatement(db, events[1]!)]);
  return events;
}
