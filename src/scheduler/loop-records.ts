/**
 * What a loop task leaves in D1: each iteration's output, tokens and cost, and the task row the
 * API lists. The object first stores a record in its own storage, then writes it here; every
 * statement is idempotent, so writing a record again after a crash changes nothing.
 */
import { eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { ApiCallRow } from "../agent/call-rows";
import type { Db } from "../db/client";
import { apiCalls, loopIterations, loopTasks } from "../db/schema";
import { eventStatement, type FeedEvent } from "../db/feed-events";
import type { DeliveryTarget } from "./job-schema";

export type IterationRow = typeof loopIterations.$inferInsert;

/** The task row as the object sees it after a change. */
export interface TaskSnapshot {
  /** A task paused by the budget is listed as `stopped` with stopReason `budget` (see docs/scheduler.md). */
  status: "running" | "stopped" | "completed" | "failed";
  stopReason: string | null;
  iterations: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  lastError: string | null;
  updatedAt: number;
  finishedAt: number | null;
  /** Set when the task is (re)started. */
  startedAt?: number;
}

export interface LoopRecord {
  taskId: number;
  iteration?: IterationRow;
  /** The iteration's model calls (src/scheduler/usage-attribution.ts). */
  apiCalls?: ApiCallRow[];
  task: TaskSnapshot;
  events: FeedEvent[];
  /** The completion notice, sent after the record is written. */
  notify?: { target: DeliveryTarget; text: string };
}

export function loopRecordStatements(db: Db, r: LoopRecord): [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] {
  const stmts: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] = [db.update(loopTasks).set(r.task).where(eq(loopTasks.id, r.taskId))];
  if (r.iteration) stmts.push(db.insert(loopIterations).values(r.iteration).onConflictDoNothing());
  for (const call of r.apiCalls ?? []) stmts.push(db.insert(apiCalls).values(call).onConflictDoNothing());
  for (const e of r.events) stmts.push(eventStatement(db, e));
  return stmts;
}

const REASONS: Record<string, string> = {
  completed: "completed (the agent gave the completion promise)",
  max_iterations: "reached its maximum number of iterations",
  cost_cap: "reached its cost cap",
  no_progress: "stopped making progress",
  stopped: "was stopped",
  error: "failed: the model kept returning errors",
};

export function finishNotice(name: string, reason: string, iterations: number, lastOutput: string | null): string {
  const head = `Loop task "${name}" ${REASONS[reason] ?? reason} after ${iterations} iteration${iterations === 1 ? "" : "s"}.`;
  return lastOutput ? `${head}\n\n${lastOutput.slice(0, 3000)}` : head;
}
