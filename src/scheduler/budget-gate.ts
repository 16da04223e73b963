/**
 * Daily budgets applied to scheduled work. Before each job run and each loop iteration the
 * scheduler asks `jobBudget` / `accountBudget`: the account's daily cost cap for everything,
 * and for a job the agent created for a sender also that sender's daily token and cost caps
 * (the pipeline's `checkBudget`). Over a cap, a job run is recorded as `skipped` (a daily
 * digest should not burst out at midnight with everything it missed) and a loop task pauses
 * until the cap resets. Either way the admin sees a `budget.exceeded` event.
 */
import { and, eq, inArray } from "drizzle-orm";
import { accountBudget, checkBudget, type BudgetLimits, type BudgetVerdict } from "../agent/budget";
import type { Db } from "../db/client";
import { jobRuns } from "../db/schema";
import { eventStatement, feedEvent, type FeedEvent } from "../db/feed-events";
import type { JobOwner } from "./job-schema";
import { jobAccount, SCHEDULER_CHANNEL_ID } from "./usage-attribution";

export type OverBudget = Extract<BudgetVerdict, { ok: false }>;

const usd = (n: number) => `$${n.toFixed(2)}`;
const isoMinute = (t: number) => `${new Date(t).toISOString().slice(0, 16)}Z`;

/** Why scheduled work did not run, in the words the run record and the API show. */
export function overBudgetNote(verdict: OverBudget): string {
  const resets = `it resets at ${isoMinute(verdict.resetsAt)}`;
  switch (verdict.scope) {
    case "account_cost":
      return `the account's daily cost cap is reached (${usd(verdict.used)} of ${usd(verdict.limit)} spent today); ${resets}`;
    case "sender_cost":
      return `the sender's daily cost cap is reached (${usd(verdict.used)} of ${usd(verdict.limit)} spent today); ${resets}`;
    case "sender_tokens":
      return `the sender's daily token cap is reached (${verdict.used} of ${verdict.limit} tokens used today); ${resets}`;
  }
}

/**
 * The admin's signal, shaped like the pipeline's (`scope`, `used`, `limit`, `resetsAt`), with
 * what was held back; recorded under the scheduler channel unless the work belongs to a sender.
 */
export function budgetExceededEvent(
  verdict: OverBudget,
  senderId: string,
  detail: Record<string, unknown>,
  at: number,
  channelId = SCHEDULER_CHANNEL_ID,
): FeedEvent {
  return feedEvent(
    "budget.exceeded",
    channelId,
    senderId,
    { scope: verdict.scope, used: verdict.used, limit: verdict.limit, resetsAt: verdict.resetsAt, ...detail },
    at,
  );
}

/**
 * The budget a job's next try spends from: the account's, and for a job the agent created for
 * a sender that sender's daily caps too, counted from the same api_calls rows their
 * conversations are (one query, the check the pipeline makes before each turn).
 */
export function jobBudget(db: Db, limits: BudgetLimits, owner: JobOwner | null, now: number): Promise<BudgetVerdict> {
  return owner ? checkBudget(db, limits, owner.channelId, owner.senderId, now) : accountBudget(db, limits, now);
}

/**
 * Records a due job run as skipped because of the budget, unless another try took it first.
 * Returns the events written (for the live feed), or null when the run was not ours to skip.
 */
export async function skipRunOverBudget(
  db: Db,
  run: { id: string; jobId: string; attempts: number; scheduledFor: number; trigger: string },
  verdict: OverBudget,
  now: number,
  owner: JobOwner | null = null,
): Promise<FeedEvent[] | null> {
  const note = `skipped: ${overBudgetNote(verdict)}`;
  const skipped = await db
    .update(jobRuns)
    .set({ status: "skipped", finishedAt: now, nextAttemptAt: null, error: note })
    .where(and(eq(jobRuns.id, run.id), eq(jobRuns.attempts, run.attempts), inArray(jobRuns.status, ["queued", "retrying", "running"])))
    .returning({ id: jobRuns.id });
  if (skipped.length === 0) return null;
  // An owned job's events go to its sender, beside the notices of their own over-budget turns.
  const who = jobAccount(run.jobId, owner);
  const events = [
    budgetExceededEvent(verdict, who.senderId, { jobId: run.jobId, runId: run.id, action: "run skipped" }, now, who.channelId),
    feedEvent(
      "job.run",
      who.channelId,
      who.senderId,
      { jobId: run.jobId, runId: run.id, status: "skipped", scheduledFor: run.scheduledFor, trigger: run.trigger, attempts: run.attempts, error: note },
      now,
    ),
  ];
  await db.batch([eventStatement(db, events[0]!), eventStatement(db, events[1]!)]);
  return events;
}
