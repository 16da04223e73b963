/**
 * LoopTask: one object per loop task (`idFromName("task:" + id)`), the original product's Loop
 * Mode. Each iteration runs from the alarm: the prompt plus the previous output go to the
 * agent, the output is stored, and the next alarm is set at once. The guards in
 * src/scheduler/loop-policy.ts end it. Before each iteration the account's daily cost cap is
 * checked: over it the task pauses (`paused`, reason `budget`) until the cap resets at midnight
 * UTC, when its alarm resumes it, or until it is started again. State lives in the object's
 * storage, so the task survives a restart; the Cron heartbeat resumes one that has gone quiet.
 */
import { DurableObject } from "cloudflare:workers";
import { accountBudget } from "../src/agent/budget";
import { ZERO_USAGE, type TurnResult } from "../src/agent/types";
import { notifySender } from "../src/objects/addresses";
import { readConfig } from "../src/config";
import type { ServerToolsConfig } from "../src/agent/server-tools";
import { openDb } from "../src/db/client";
import { feedEvent, type FeedEvent } from "../src/db/feed-events";
import { schedulerAgent } from "../src/scheduler/runtime-factory";
import { budgetExceededEvent, overBudgetNote, type OverBudget } from "../src/scheduler/budget-gate";
import type { DeliveryTarget } from "../src/scheduler/job-schema";
import { iterationCallRows, SCHEDULER_CHANNEL_ID, taskSender } from "../src/scheduler/usage-attribution";
import { iterationTurn, judgeIteration, type LoopCounters, type LoopLimits, type PauseReason, type StopReason } from "../src/scheduler/loop-policy";
import { finishNotice, loopRecordStatements, type LoopRecord, type TaskSnapshot } from "../src/scheduler/loop-records";
import { publishEvents } from "./live-feed";
import { createLogger } from "../src/lib/log";

const log = createLogger("loop-task");

/** First wait after a failed model call; it doubles with each failure in a row. */
const FAILURE_BACKOFF_MS = 5_000;

export interface LoopTaskConfig extends LoopLimits {
  taskId: number;
  name: string;
  prompt: string;
  notify: DeliveryTarget | null;
  /** Server tools for each iteration (src/agent/server-tools.ts); none when null or absent (tasks started before they existed). */
  serverTools?: ServerToolsConfig | null;
}

interface LoopState {
  config: LoopTaskConfig;
  /** `paused` (by the budget) is this object's own; D1 and the API list it as stopped, reason budget. */
  status: TaskSnapshot["status"] | "paused";
  /** Why it ended, or (while paused) why it waits. */
  stopReason: StopReason | PauseReason | null;
  /** Iterations done over the task's life (numbering continues across restarts). */
  iteration: number;
  counters: LoopCounters;
  totals: { inputTokens: number; outputTokens: number; costUsd: number };
  lastError: string | null;
}

export type LoopCommandResult =
  | { ok: true }
  | { ok: false; reason: "running" | "not_running" | "unknown_task" }
  | { ok: false; reason: "over_budget"; note: string };

const freshCounters = (lastOutput: string | null): LoopCounters => ({
  iterationsThisStart: 0,
  costThisStartUsd: 0,
  noProgressStreak: 0,
  failureStreak: 0,
  lastOutput,
});

export class LoopTask extends DurableObject<Env> {
  /** Set while this instance runs an iteration, so the watchdog does not start a second one. */
  private inFlight = false;
  private flushing: Promise<void> = Promise.resolve();
  private seq = 0;

  /**
   * Starts the task, or restarts a stopped or finished one from its last output with a fresh
   * budget. A task paused by the account budget goes on where it was, if the budget allows now.
   */
  async start(config: LoopTaskConfig): Promise<LoopCommandResult> {
    const existing = await this.state();
    if (existing?.status === "running") return { ok: false, reason: "running" };
    const now = Date.now();
    if (existing?.status === "paused") {
      const budget = await this.budget(now);
      if (!budget.ok) return { ok: false, reason: "over_budget", note: overBudgetNote(budget) };
      await this.unpause({ ...existing, config }, "started", now);
      await this.ctx.storage.setAlarm(now);
      return { ok: true };
    }
    const state: LoopState = {
      config,
      status: "running",
      stopReason: null,
      iteration: existing?.iteration ?? 0,
      counters: freshCounters(existing?.counters.lastOutput ?? null),
      totals: existing?.totals ?? { inputTokens: 0, outputTokens: 0, costUsd: 0 },
      lastError: null,
    };
    await this.commit(state, {
      task: { ...this.snapshot(state, now), startedAt: now },
      events: [this.event("loop.started", config, { name: config.name, iteration: state.iteration }, now)],
    });
    await this.ctx.storage.setAlarm(now);
    return { ok: true };
  }

  /** Stops the task; an iteration already in flight is recorded, and no further one starts. */
  async stop(): Promise<LoopCommandResult> {
    const state = await this.state();
    if (!state) return { ok: false, reason: "unknown_task" };
    if (state.status !== "running" && state.status !== "paused") return { ok: false, reason: "not_running" };
    await this.ctx.storage.deleteAlarm();
    await this.finish(state, "stopped", Date.now());
    return { ok: true };
  }

  /** The watchdog: re-arms a running (or budget-paused) task whose alarm was lost. True when it did. */
  async resume(): Promise<boolean> {
    await this.flush();
    const state = await this.state();
    if (this.inFlight || (state?.status !== "running" && state?.status !== "paused") || (await this.ctx.storage.getAlarm()) !== null) return false;
    await this.ctx.storage.setAlarm(Date.now());
    return true;
  }

  /** Forgets the task (it was deleted): no alarm, no state. */
  async forget(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }

  override async alarm(): Promise<void> {
    await this.flush();
    const current = await this.state();
    if (current?.status !== "running" && current?.status !== "paused") return;
    const budget = await this.budget(Date.now());
    if (!budget.ok) {
      await this.pause(current, budget, Date.now());
      return;
    }
    const before = current.status === "paused" ? await this.unpause(current, "budget_reset", Date.now()) : current;
    const { config } = before;
    const n = before.iteration + 1;
    const startedAt = Date.now();
    this.inFlight = true;
    let result: TurnResult;
    try {
      const runtime = schedulerAgent.runtime(this.env);
      const turn = iterationTurn(config.prompt, before.counters.lastOutput);
      try {
        result = await runtime.runTurn({
          channelId: SCHEDULER_CHANNEL_ID,
          channelType: "loop",
          senderId: taskSender(config.taskId),
          senderName: config.name,
          trust: "admin",
          settings: config.serverTools ? { serverTools: config.serverTools } : null,
          ...turn,
        });
      } catch (err) {
        result = { ok: false, error: String(err), userMessage: "", model: runtime.model, latencyMs: Date.now() - startedAt };
      }
    } finally {
      this.inFlight = false;
    }
    // Re-read: stop() may have run while the model was thinking, and wins.
    const state = await this.state();
    if (!state || state.iteration >= n) return;
    const now = Date.now();
    // A failed call can still have cost something; it counts toward the cap.
    const { inputTokens, outputTokens, costUsd } = result.usage ?? ZERO_USAGE;
    const usage = { inputTokens, outputTokens, costUsd };
    const verdict = judgeIteration(
      config,
      state.counters,
      result.ok ? { ok: true, output: result.text, costUsd } : { ok: false, error: result.error, costUsd },
    );
    const next: LoopState = {
      ...state,
      iteration: n,
      counters: verdict.counters,
      lastError: result.ok ? null : result.error,
      totals: {
        inputTokens: state.totals.inputTokens + usage.inputTokens,
        outputTokens: state.totals.outputTokens + usage.outputTokens,
        costUsd: state.totals.costUsd + usage.costUsd,
      },
    };
    const output = result.ok ? result.text : "";
    const iteration = {
      taskId: config.taskId,
      iteration: n,
      status: result.ok ? ("ok" as const) : ("failed" as const),
      output,
      error: result.ok ? null : result.error,
      progress: verdict.progress,
      model: result.model,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      costUsd: usage.costUsd,
      latencyMs: result.latencyMs,
      startedAt,
      finishedAt: now,
    };
    const apiCalls = iterationCallRows(result.calls ?? [], config.taskId, n);
    const events = [
      this.event(
        "loop.iteration",
        config,
        {
          iteration: n,
          status: iteration.status,
          progress: verdict.progress,
          outputChars: output.length,
          ...usage,
          ...(result.ok ? {} : { error: result.error }),
        },
        now,
      ),
    ];
    if (state.status === "running" && verdict.end) {
      await this.finish(next, verdict.end, now, { iteration, apiCalls, events });
      return;
    }
    await this.commit(next, { task: this.snapshot(next, now), iteration, apiCalls, events });
    if (next.status !== "running") return;
    await this.ctx.storage.setAlarm(result.ok ? now : now + FAILURE_BACKOFF_MS * 2 ** (verdict.counters.failureStreak - 1));
  }

  private async finish(
    state: LoopState,
    reason: StopReason,
    now: number,
    extra: Pick<LoopRecord, "iteration" | "apiCalls" | "events"> = { events: [] },
  ): Promise<void> {
    const done: LoopState = { ...state, status: reason === "stopped" ? "stopped" : reason === "error" ? "failed" : "completed", stopReason: reason };
    const { config } = done;
    const record: Omit<LoopRecord, "taskId"> = {
      task: { ...this.snapshot(done, now), finishedAt: now },
      iteration: extra.iteration,
      apiCalls: extra.apiCalls,
      events: [...extra.events, this.event("loop.finished", config, { reason, iterations: done.iteration, costUsd: done.totals.costUsd }, now)],
      notify: config.notify ? { target: config.notify, text: finishNotice(config.name, reason, done.iteration, done.counters.lastOutput) } : undefined,
    };
    await this.commit(done, record);
  }

  private budget(now: number) {
    return accountBudget(openDb(this.env.DB), readConfig(this.env), now);
  }

  /** Waits for the budget: no iteration runs until the cap resets (the alarm) or the task is started again. */
  private async pause(state: LoopState, verdict: OverBudget, now: number): Promise<void> {
    const paused: LoopState = { ...state, status: "paused", stopReason: "budget" };
    const detail = { taskId: state.config.taskId, action: "task paused", resumesAt: verdict.resetsAt };
    await this.commit(paused, {
      task: this.snapshot(paused, now),
      events: [
        budgetExceededEvent(verdict, taskSender(state.config.taskId), detail, now),
        this.event("loop.paused", state.config, { reason: "budget", resumesAt: verdict.resetsAt, iteration: state.iteration }, now),
      ],
    });
    await this.ctx.storage.setAlarm(verdict.resetsAt);
  }

  private async unpause(state: LoopState, by: "started" | "budget_reset", now: number): Promise<LoopState> {
    const running: LoopState = { ...state, status: "running", stopReason: null };
    await this.commit(running, {
      task: this.snapshot(running, now),
      events: [this.event("loop.resumed", state.config, { by, iteration: state.iteration }, now)],
    });
    return running;
  }

  private snapshot(s: LoopState, now: number): TaskSnapshot {
    return {
      status: s.status === "paused" ? "stopped" : s.status,
      stopReason: s.stopReason,
      iterations: s.iteration,
      ...s.totals,
      lastError: s.lastError,
      updatedAt: now,
      finishedAt: null,
    };
  }

  private event(kind: string, config: LoopTaskConfig, detail: Record<string, unknown>, at: number): FeedEvent {
    return feedEvent(kind, config.notify?.channelId, config.notify?.recipient, { taskId: config.taskId, ...detail }, at);
  }

  private async state(): Promise<LoopState | undefined> {
    return this.ctx.storage.get<LoopState>("state");
  }

  /** Stores the new state and its record together, then writes the record out. */
  private async commit(state: LoopState, record: Omit<LoopRecord, "taskId">): Promise<void> {
    const key = `pending:${Date.now().toString().padStart(15, "0")}:${String(this.seq++).padStart(6, "0")}`;
    await this.ctx.storage.put<unknown>({ state, [key]: { ...record, taskId: state.config.taskId } satisfies LoopRecord });
    await this.flush();
  }

  /** Writes stored records to D1, the feed and the notify channel, in order, one flush at a time. */
  private flush(): Promise<void> {
    this.flushing = this.flushing
      .catch(() => undefined)
      .then(async () => {
        const pending = await this.ctx.storage.list<LoopRecord>({ prefix: "pending:" });
        for (const [key, record] of pending) {
          const db = openDb(this.env.DB);
          await db.batch(loopRecordStatements(db, record));
          await publishEvents(this.env, record.events);
          if (record.notify) {
            const { channelId, recipient } = record.notify.target;
            try {
              await notifySender(this.env, channelId, recipient, record.notify.text);
            } catch (err) {
              // The task's own record is written; a notice that cannot be queued must not block it.
              log.error("loop task notice failed", { taskId: record.taskId, channelId, error: String(err) });
            }
          }
          await this.ctx.storage.delete(key);
        }
      });
    return this.flushing;
  }
}
