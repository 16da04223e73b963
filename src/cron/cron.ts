/**
 * Cron expressions for scheduled jobs: five standard fields (or an @-shortcut) in an IANA time
 * zone, over croner (see docs/scheduler.md for why). This module owns validation, so every
 * error names the field that is wrong, and hides croner behind two functions.
 */
import { Cron } from "croner";

export const CRON_FIELDS = ["minute", "hour", "day-of-month", "month", "day-of-week"] as const;
export const CRON_SHORTCUTS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"] as const;
export const DEFAULT_TIMEZONE = "UTC";

/** A validated expression in its time zone. Times are unix milliseconds. */
export interface CronSchedule {
  readonly expression: string;
  readonly timezone: string;
  /** The first time strictly after `after`, or null when there is none (e.g. `0 0 30 2 *`). */
  nextAfter(after: number): number | null;
  /** Up to `count` times strictly after `after`, in order. */
  nextRuns(count: number, after: number): number[];
  /** Up to `count` times at or before `atOrBefore`, newest first. */
  previousRuns(count: number, atOrBefore: number): number[];
}

export type CronParseResult = { ok: true; schedule: CronSchedule } | { ok: false; field: string; error: string };

/**
 * Vixie cron's rule for daylight-saving changes (crontab(5)): a job at a fixed hour and minute
 * (no `*` or step there) runs once when a time repeats and right after a skipped time; a
 * wildcard job follows the wall clock, so it skips the gap and repeats in the extra hour.
 */
const CRONER_OPTIONS = { mode: "5-part", fixedTimeRule: "no-wildcard", paused: true } as const;

function croner(expression: string, timezone?: string): Cron {
  return new Cron(expression, { ...CRONER_OPTIONS, ...(timezone ? { timezone } : {}) });
}

function cronerMessage(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/^Cron\w*:\s*/, "");
}

/** Whether `timezone` is an IANA zone the runtime knows (Intl is the same in Workers and Node). */
export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** Finds the first field croner rejects, by trying each field alone with `*` in the others. */
function badField(fields: string[]): { field: string; error: string } | null {
  for (let i = 0; i < fields.length; i++) {
    const probe = fields.map((f, j) => (j === i ? f : "*")).join(" ");
    try {
      croner(probe);
    } catch (err) {
      return { field: CRON_FIELDS[i] ?? "expression", error: `${CRON_FIELDS[i]} field "${fields[i]}": ${cronerMessage(err)}` };
    }
  }
  return null;
}

export function parseCron(expression: string, timezone: string = DEFAULT_TIMEZONE): CronParseResult {
  const expr = expression.trim().replace(/\s+/g, " ");
  if (!isValidTimezone(timezone))
    return { ok: false, field: "timezone", error: `timezone "${timezone}" is not an IANA time zone (e.g. "Europe/Berlin", "UTC")` };
  if (expr.startsWith("@")) {
    if (!(CRON_SHORTCUTS as readonly string[]).includes(expr.toLowerCase())) {
      return { ok: false, field: "expression", error: `unknown shortcut "${expr}"; use one of ${CRON_SHORTCUTS.join(", ")}` };
    }
  } else {
    const fields = expr === "" ? [] : expr.split(" ");
    if (fields.length !== CRON_FIELDS.length) {
      return { ok: false, field: "expression", error: `expected 5 fields (${CRON_FIELDS.join(" ")}), got ${fields.length}` };
    }
    const bad = badField(fields);
    if (bad) return { ok: false, ...bad };
  }
  let cron: Cron;
  try {
    cron = croner(expr.toLowerCase().startsWith("@") ? expr.toLowerCase() : expr, timezone);
  } catch (err) {
    return { ok: false, field: "expression", error: cronerMessage(err) };
  }
  const schedule: CronSchedule = {
    expression: expr,
    timezone,
    nextAfter(after) {
      return cron.nextRun(new Date(after))?.getTime() ?? null;
    },
    nextRuns(count, after) {
      return cron.nextRuns(count, new Date(after)).map((d) => d.getTime());
    },
    previousRuns(count, atOrBefore) {
      // croner counts a run within the reference's second; move past it, then drop later ones.
      return cron
        .previousRuns(count + 1, new Date(atOrBefore + 1000))
        .map((d) => d.getTime())
        .filter((t) => t <= atOrBefore)
        .slice(0, count);
    },
  };
  // croner looks ahead to year 9999, so "never" really means never (e.g. February 30th).
  if (schedule.nextAfter(Date.now()) === null) {
    return { ok: false, field: "day-of-month", error: `"${expr}" never matches a date: its day-of-month never occurs in its month` };
  }
  return { ok: true, schedule };
}
