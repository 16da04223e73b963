/** The loop guards on their own: which rule ends a task, and in which order they are checked. */
import { describe, expect, it } from "vitest";
import { judgeIteration, MAX_FAILURES_IN_A_ROW, type LoopCounters, type LoopLimits } from "../../src/scheduler/loop-policy";

const limits: LoopLimits = { maxIterations: 5, completionPromise: "<promise>DONE</promise>", costCapUsd: 1, noProgressLimit: 2 };
const start: LoopCounters = { iterationsThisStart: 0, costThisStartUsd: 0, noProgressStreak: 0, failureStreak: 0, lastOutput: null };
const ok = (output: string, costUsd = 0) => ({ ok: true as const, output, costUsd });

describe("judgeIteration", () => {
  it("goes on while the output changes", () => {
    expect(judgeIteration(limits, start, ok("a"))).toMatchObject({ progress: true, end: null });
  });

  it("ends on the completion promise, even on the last allowed iteration", () => {
    expect(judgeIteration(limits, { ...start, iterationsThisStart: 4 }, ok("done <promise>DONE</promise>")).end).toBe("completed");
  });

  it("counts empty and repeated outputs as no progress, and resets on progress", () => {
    const one = judgeIteration(limits, { ...start, lastOutput: "a" }, ok(" a "));
    expect(one).toMatchObject({ progress: false, end: null, counters: { noProgressStreak: 1 } });
    expect(judgeIteration(limits, one.counters, ok("")).end).toBe("no_progress");
    expect(judgeIteration(limits, one.counters, ok("b")).counters.noProgressStreak).toBe(0);
  });

  it("stops at the cost cap before the iteration limit", () => {
    expect(judgeIteration(limits, { ...start, iterationsThisStart: 4, costThisStartUsd: 0.9 }, ok("x", 0.2)).end).toBe("cost_cap");
    expect(judgeIteration({ ...limits, costCapUsd: null }, { ...start, iterationsThisStart: 4, costThisStartUsd: 99 }, ok("x", 1)).end).toBe("max_iterations");
  });

  it("gives up after failures in a row, and a failure still uses the budget", () => {
    let counters = start;
    for (let i = 1; i < MAX_FAILURES_IN_A_ROW; i++) {
      const v = judgeIteration({ ...limits, maxIterations: 100 }, counters, { ok: false, error: "overloaded", costUsd: 0 });
      expect(v.end).toBeNull();
      counters = v.counters;
    }
    expect(judgeIteration({ ...limits, maxIterations: 100 }, counters, { ok: false, error: "overloaded", costUsd: 0 }).end).toBe("error");
    expect(judgeIteration(limits, { ...start, iterationsThisStart: 4 }, { ok: false, error: "x", costUsd: 0 }).end).toBe("max_iterations");
  });
});
