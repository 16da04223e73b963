/**
 * The guards of a loop task (the original product's Loop Mode): after each iteration, decide
 * whether the loop goes on or ends, and why. Pure, so every rule is tested on its own.
 */
import type { ChatTurn } from "../agent/types";

export const DEFAULT_COMPLETION_PROMISE = "<promise>DONE</promise>";
export const DEFAULT_NO_PROGRESS_LIMIT = 3;
/** Failed model calls in a row before the task gives up. */
export const MAX_FAILURES_IN_A_ROW = 3;

export type StopReason = "completed" | "max_iterations" | "cost_cap" | "no_progress" | "stopped" | "error";
/** Why a task is paused rather than ended: it goes on by itself when the reason passes. */
export type PauseReason = "budget";

export interface LoopLimits {
  maxIterations: number;
  completionPromise: string;
  costCapUsd: number | null;
  noProgressLimit: number;
}

/** The counters of the current start of a task (a restart begins a fresh budget). */
export interface LoopCounters {
  /** Iterations done since the task was (re)started. */
  iterationsThisStart: number;
  costThisStartUsd: number;
  noProgressStreak: number;
  failureStreak: number;
  lastOutput: string | null;
}

export type IterationOutcome = { ok: true; output: string; costUsd: number } | { ok: false; error: string; costUsd: number };

export interface IterationVerdict {
  counters: LoopCounters;
  /** Whether the output differs from the previous one and is not empty. */
  progress: boolean;
  end: StopReason | null;
}

/** The request of the next iteration: the prompt, after the previous exchange when there is one. */
export function iterationTurn(prompt: string, lastOutput: string | null): { history: ChatTurn[]; text: string } {
  return {
    history:
      lastOutput === null
        ? []
        : [
            { role: "user", content: prompt },
            { role: "assistant", content: lastOutput },
          ],
    text: prompt,
  };
}

export function judgeIteration(limits: LoopLimits, before: LoopCounters, outcome: IterationOutcome): IterationVerdict {
  const iterationsThisStart = before.iterationsThisStart + 1;
  const costThisStartUsd = before.costThisStartUsd + outcome.costUsd;
  const budget = (counters: LoopCounters): StopReason | null => {
    if (limits.costCapUsd !== null && counters.costThisStartUsd >= limits.costCapUsd) return "cost_cap";
    if (counters.iterationsThisStart >= limits.maxIterations) return "max_iterations";
    return null;
  };
  if (!outcome.ok) {
    const counters = { ...before, iterationsThisStart, costThisStartUsd, failureStreak: before.failureStreak + 1 };
    return { counters, progress: false, end: counters.failureStreak >= MAX_FAILURES_IN_A_ROW ? "error" : budget(counters) };
  }
  const text = outcome.output.trim();
  const progress = text !== "" && text !== before.lastOutput?.trim();
  const counters: LoopCounters = {
    iterationsThisStart,
    costThisStartUsd,
    noProgressStreak: progress ? 0 : before.noProgressStreak + 1,
    failureStreak: 0,
    lastOutput: outcome.output,
  };
  if (outcome.output.includes(limits.completionPromise)) return { counters, progress, end: "completed" };
  const spent = budget(counters);
  if (spent === "cost_cap") return { counters, progress, end: spent };
  if (counters.noProgressStreak >= limits.noProgressLimit) return { counters, progress, end: "no_progress" };
  return { counters, progress, end: spent };
}
