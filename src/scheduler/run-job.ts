/**
 * One try of one job run, as the job's runner object executes it: check the daily budget (the
 * account's, and the owning sender's for a job the agent created for them; over it, the run is
 * recorded as skipped), take the run (a lease, so a crashed try is picked up again), run the
 * recipe, deliver the result, and record the outcome, its model calls charged to the owner or
 * the job; a failed try is retried with exponential backoff up to the job's attempts.
 */
import { and, eq, inArray, lte } from "drizzle-orm";
import type { BudgetLimits } from "../agent/budget";
import { mcpGrants } from "../agent/mcp-servers";
import type { Keyring } from "../crypto/keyring";
import { trustTier, type TrustTier } from "../agent/trust";
import type { AgentRuntime, ApiCallRecord } from "../agent/types";
import type { Db } from "../db/client";
import { apiCalls, channels, jobRuns, jobs } from "../db/schema";
import { eventStatement, feedEvent, type FeedEvent } from "../db/feed-events";
import { jobOwner, type DeliveryTarget, type JobOwner } from "./job-schema";
import { jobBudget, skipRunOverBudget } from "./budget-gate";
import { runRecipe, type RecipeStep } from "./recipe";
import { jobRunCallRows } from "./usage-attribution";

/** How long a try may run before the heartbeat treats its runner as gone and tries again. */
export const RUN_LEASE_MS = 15 * 60_000;
/** Longest delivered text; the full output stays in the run record. */
const MAX_DELIVERED_CHARS = 12_000;

export interface RunDeps {
  db: Db;
  runtime: AgentRuntime;
  /** The account's daily cost cap and the per-sender caps (for owned jobs), checked before every try. */
  limits: BudgetLimits;
  /** Sends text to a recipient through the channel's outbound ledger (SenderSession.notify). */
  notify(target: DeliveryTarget, text: string): Promise<void>;
  publish(events: FeedEvent[]): Promise<void>;
  /** Opens sealed MCP server tokens for steps that name servers; without it such steps get none. */
  keyring?: () => Promise<Keyring | null>;
}

export type JobRun = typeof jobRuns.$inferSelect;
const RUNNABLE = ["queued", "retrying", "running"] as const;

/** The runs of a job whose next try is due, oldest due time first. */
export async function dueRuns(db: Db, jobId: string, now: number): Promise<JobRun[]> {
  return db
    .select()
    .from(jobRuns)
    .where(and(eq(jobRuns.jobId, jobId), inArray(jobRuns.status, [...RUNNABLE]), lte(jobRuns.nextAttemptAt, now)))
    .orderBy(jobRuns.scheduledFor);
}

/** The earliest pending try of a job, for the runner's next alarm. */
export async function nextTryAt(db: Db, jobId: string): Promise<number | null> {
  const rows = await db
    .select({ at: jobRuns.nextAttemptAt })
    .from(jobRuns)
    .where(and(eq(jobRuns.jobId, jobId), inArray(jobRuns.status, [...RUNNABLE])))
    .orderBy(jobRuns.nextAttemptAt)
    .limit(1);
  return rows[0]?.at ?? null;
}

/** An owned job's recipe was written by its sender, so it runs with their trust (a channel since deleted: the least). */
async function ownerTrust(db: Db, owner: JobOwner): Promise<TrustTier> {
  const channel = await db.select({ type: channels.type, policy: channels.policy }).from(channels).where(eq(channels.id, owner.channelId)).get();
  return channel ? trustTier(channel.type, channel.policy) : "public";
}

export async function executeRun(deps: RunDeps, run: JobRun, now = Date.now()): Promise<JobRun["status"] | null> {
  const { db } = deps;
  const job = await db.select().from(jobs).where(eq(jobs.id, run.jobId)).get();
  const owner = job ? jobOwner(job) : null;
  const budget = await jobBudget(db, deps.limits, owner, now);
  if (!budget.ok) {
    const events = await skipRunOverBudget(db, run, budget, now, owner);
    if (!events) return null;
    await deps.publish(events);
    return "skipped";
  }
  const taken = await db
    .update(jobRuns)
    .set({ status: "running", attempts: run.attempts + 1, startedAt: run.startedAt ?? now, nextAttemptAt: now + RUN_LEASE_MS })
    .where(and(eq(jobRuns.id, run.id), eq(jobRuns.attempts, run.attempts), inArray(jobRuns.status, [...RUNNABLE])))
    .returning();
  const current = taken[0];
  if (!current) return null; // another try took it
  const target = job?.deliverTo ? (JSON.parse(job.deliverTo) as DeliveryTarget) : null;

  let outcome: { ok: true; output: string; stepOutputs: string[] } | { ok: false; error: string; stepOutputs: string[] };
  let usage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  let model: string | null = null;
  let calls: ApiCallRecord[] = [];
  let delivered = false;
  if (!job) {
    outcome = { ok: false, error: "the job was deleted", stepOutputs: [] };
  } else {
    const trust = owner ? await ownerTrust(db, owner) : "admin";
    const keyring = deps.keyring;
    // The job's trust decides, as for a channel: a job a public-tier sender created reaches no server.
    const mcp = keyring ? async (names: readonly string[]) => (await mcpGrants(db, await keyring(), names, trust)).grants : undefined;
    const result = await runRecipe(deps.runtime, JSON.parse(job.steps) as RecipeStep[], { jobId: job.id, jobName: job.name, trust }, mcp);
    usage = result.usage;
    model = result.model;
    calls = result.calls;
    outcome = result.ok
      ? { ok: true, output: result.output, stepOutputs: result.stepOutputs }
      : { ok: false, error: result.error, stepOutputs: result.stepOutputs };
    if (outcome.ok && target) {
      const channel = await db.select({ id: channels.id }).from(channels).where(eq(channels.id, target.channelId)).get();
      if (!channel) outcome = { ok: false, error: `cannot deliver: channel ${target.channelId} no longer exists`, stepOutputs: outcome.stepOutputs };
      else {
        try {
          await deps.notify(target, `[${job.name}] ${outcome.output}`.slice(0, MAX_DELIVERED_CHARS));
          delivered = true;
        } catch (err) {
          // Queuing failed (the sender's object was unreachable): a failed try, retried like any other.
          outcome = { ok: false, error: `cannot deliver: ${String(err)}`, stepOutputs: outcome.stepOutputs };
        }
      }
    }
  }

  const finishedAt = Date.now();
  const retry = !outcome.ok && job !== undefined && current.attempts < job.retryAttempts;
  const status: JobRun["status"] = outcome.ok ? "ok" : retry ? "retrying" : "failed";
  const backoffMs = job ? job.retryBackoffMs * 2 ** (current.attempts - 1) : 0;
  const event = feedEvent(
    "job.run",
    target?.channelId,
    target?.recipient,
    {
      jobId: run.jobId,
      runId: run.id,
      status,
      scheduledFor: run.scheduledFor,
      trigger: run.trigger,
      attempts: current.attempts,
      ...(outcome.ok ? { delivered } : { error: outcome.error, ...(retry ? { retryAt: finishedAt + backoffMs } : {}) }),
      ...usage,
    },
    finishedAt,
  );
  await db.batch([
    db
      .update(jobRuns)
      .set({
        status,
        finishedAt: retry ? null : finishedAt,
        nextAttemptAt: retry ? finishedAt + backoffMs : null,
        output: outcome.ok ? outcome.output : null,
        stepOutputs: JSON.stringify(outcome.stepOutputs),
        error: outcome.ok ? null : outcome.error,
        model,
        delivered,
        // Tokens and cost add up over tries: a failed try was paid for too.
        inputTokens: current.inputTokens + usage.inputTokens,
        outputTokens: current.outputTokens + usage.outputTokens,
        costUsd: current.costUsd + usage.costUsd,
      })
      .where(eq(jobRuns.id, run.id)),
    // The try's model calls, in the same transaction as its outcome: usage and budgets count them from here.
    ...jobRunCallRows(calls, run.jobId, run.id, current.attempts, owner).map((row) => db.insert(apiCalls).values(row).onConflictDoNothing()),
    eventStatement(db, event),
  ]);
  await deps.publish([event]);
  return status;
}
