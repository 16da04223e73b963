/** The heartbeat's decisions for due times: on time, missed, and each catch-up policy. */
import { describe, expect, it } from "vitest";
import { parseCron } from "../../src/cron/cron";
import { MAX_RECORDED_DUE_TIMES, planDueTimes } from "../../src/cron/due-times";

const MINUTE = 60_000;
const T = Date.parse("2026-01-01T00:00:00Z");

function every(expr: string) {
  const parsed = parseCron(expr);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.schedule;
}

describe("planDueTimes", () => {
  it("queues a due time that is on time and moves to the next", () => {
    expect(planDueTimes(every("*/5 * * * *"), T, T, "skip")).toEqual({
      decisions: [{ scheduledFor: T, status: "queued", trigger: "schedule" }],
      nextRunAt: T + 5 * MINUTE,
    });
  });

  it("tolerates one lost heartbeat, not two", () => {
    expect(planDueTimes(every("* * * * *"), T, T + MINUTE, "skip").decisions.map((d) => d.status)).toEqual(["queued", "queued"]);
    expect(planDueTimes(every("* * * * *"), T, T + 2 * MINUTE, "skip").decisions.map((d) => d.status)).toEqual(["missed", "queued", "queued"]);
  });

  it("skip records every missed time as missed", () => {
    const plan = planDueTimes(every("0 * * * *"), T, T + 3 * 60 * MINUTE + 30 * MINUTE, "skip");
    expect(plan.decisions.map((d) => [d.scheduledFor - T, d.status])).toEqual([
      [0, "missed"],
      [60 * MINUTE, "missed"],
      [120 * MINUTE, "missed"],
      [180 * MINUTE, "missed"],
    ]);
    expect(plan.nextRunAt).toBe(T + 4 * 60 * MINUTE);
  });

  it("run-once runs the latest missed time and skips the rest", () => {
    const plan = planDueTimes(every("0 * * * *"), T, T + 150 * MINUTE, "run-once");
    expect(plan.decisions.map((d) => [d.scheduledFor - T, d.status, d.trigger])).toEqual([
      [0, "skipped", "schedule"],
      [60 * MINUTE, "skipped", "schedule"],
      [120 * MINUTE, "queued", "catch-up"],
    ]);
  });

  it("run-once with an on-time run needs no extra catch-up run", () => {
    const plan = planDueTimes(every("*/5 * * * *"), T, T + 10 * MINUTE, "run-once");
    expect(plan.decisions.map((d) => [d.scheduledFor - T, d.status])).toEqual([
      [0, "skipped"],
      [5 * MINUTE, "skipped"],
      [10 * MINUTE, "queued"],
    ]);
  });

  it("records at most the newest due times after a long outage, and says so", () => {
    const plan = planDueTimes(every("* * * * *"), T, T + 1000 * MINUTE, "skip");
    expect(plan.decisions).toHaveLength(MAX_RECORDED_DUE_TIMES);
    expect(plan.decisions[0]!.scheduledFor).toBe(T + (1000 - MAX_RECORDED_DUE_TIMES + 1) * MINUTE);
    expect(plan.decisions[0]!.note).toContain("earlier due times since 2026-01-01T00:00Z are not listed");
  });
});
