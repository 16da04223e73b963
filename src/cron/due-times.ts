/**
 * What the heartbeat does with a job whose next run time has come: which due times run now,
 * and which were missed (the gateway was down, or the job paused) and how the job's catch-up
 * policy settles them. Every due time gets a decision, so nothing is skipped silently.
 */
import type { CronSchedule } from "./cron";

/** A due time this old or older counts as missed rather than on time (one lost heartbeat is tolerated). */
export const ON_TIME_WINDOW_MS = 2 * 60_000;
/** At most this many due times are recorded per heartbeat; older ones are summarised in a note. */
export const MAX_RECORDED_DUE_TIMES = 100;

export type CatchUpPolicy = "skip" | "run-once";

export interface DueDecision {
  scheduledFor: number;
  /** `queued` runs now; `missed` (policy skip) and `skipped` (covered by another run) do not. */
  status: "queued" | "missed" | "skipped";
  trigger: "schedule" | "catch-up";
  /** Why a due time does not run. */
  note?: string;
}

export interface DuePlan {
  decisions: DueDecision[];
  /** The job's next due time after this heartbeat, or null if the expression never fires again. */
  nextRunAt: number | null;
}

const isoMinute = (t: number) => new Date(t).toISOString().slice(0, 16) + "Z";

export function planDueTimes(schedule: CronSchedule, pendingFrom: number, now: number, catchUp: CatchUpPolicy): DuePlan {
  const due = schedule
    .previousRuns(MAX_RECORDED_DUE_TIMES, now)
    .filter((t) => t >= pendingFrom)
    .reverse();
  const onTime = due.filter((t) => now - t < ON_TIME_WINDOW_MS);
  const missed = due.filter((t) => now - t >= ON_TIME_WINDOW_MS);
  const decisions: DueDecision[] = onTime.map((t) => ({ scheduledFor: t, status: "queued", trigger: "schedule" }));

  if (catchUp === "skip") {
    for (const t of missed)
      decisions.push({
        scheduledFor: t,
        status: "missed",
        trigger: "schedule",
        note: "missed while the gateway was down or the job was paused; catch-up policy skip",
      });
  } else if (missed.length > 0) {
    const latest = missed[missed.length - 1] as number;
    const coveredBy = onTime[0] ?? latest;
    if (onTime.length === 0) decisions.push({ scheduledFor: latest, status: "queued", trigger: "catch-up" });
    for (const t of missed) {
      if (t !== coveredBy)
        decisions.push({
          scheduledFor: t,
          status: "skipped",
          trigger: "schedule",
          note: `covered by the catch-up run for ${isoMinute(coveredBy)} (catch-up policy run-once)`,
        });
    }
  }

  const oldest = due[0];
  if (due.length === MAX_RECORDED_DUE_TIMES && oldest !== undefined && oldest > pendingFrom) {
    const first = decisions.find((d) => d.scheduledFor === oldest);
    if (first) first.note = `${first.note ?? ""}; earlier due times since ${isoMinute(pendingFrom)} are not listed`.replace(/^; /, "");
  }
  decisions.sort((a, b) => a.scheduledFor - b.scheduledFor);
  return { decisions, nextRunAt: schedule.nextAfter(now) };
}
