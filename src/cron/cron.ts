/**
 * Cron expressions for scheduled jobs: five standard fields (or an @-shortcut) in an IANA time
 * zone (see docs/scheduler.md). Parsing is src/cron/pattern.ts, wall-clock time src/cron/zone.ts;
 * this module validates (every error names the field that is wrong) and enumerates run times.
 */
import { CronFieldError, type CronPattern, FIELD_NAMES, matchesDate, parseFields } from "./pattern";
import { type LocalDay, localDay, resolveWallTime, wallClock } from "./zone";

export const CRON_FIELDS = FIELD_NAMES;
export const CRON_SHORTCUTS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"] as const;
export const DEFAULT_TIMEZONE = "UTC";

const SHORTCUT_FIELDS: Record<(typeof CRON_SHORTCUTS)[number], string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

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

const DAY = 86_400_000;
/** How far the search goes: forward to the year 3000, back 400 years (croner's bounds). */
const LAST_YEAR = 3000;
const YEARS_BACK = 400;

/** Whether `timezone` is an IANA zone the runtime knows (Intl is the same in Workers and Node). */
export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The instants a matching local day runs at, in order. Vixie cron's rule for daylight-saving
 * changes (crontab(5)): a fixed-time job (no `*` or step in minute and hour) runs once when a
 * time repeats (the first time) and, for a time the clocks skip, right when the gap ends, if that
 * is still the same day; any other job follows the wall clock, so it skips the gap and runs in
 * both passes of a repeated hour. `after` leaves out the runs at or before it; `firstOnly` may
 * stop at the first run left.
 */
function runsOnDay(p: CronPattern, dayStart: number, timezone: string, after = Number.NEGATIVE_INFINITY, firstOnly = false): number[] {
  const day: LocalDay = localDay(dayStart, timezone);
  const out: number[] = [];
  for (let h = 0; h < 24; h++) {
    if (!p.hours[h]) continue;
    for (let m = 0; m < 60; m++) {
      if (!p.minutes[m]) continue;
      const t = resolveWallTime(dayStart + h * 3600_000 + m * 60_000, day);
      // A day without a change runs in wall order: the first run after `after` is the answer.
      if (firstOnly && day.change === null && t.kind === "single" && t.at > after) return [t.at];
      if (t.kind === "single") out.push(t.at);
      else if (t.kind === "repeated") out.push(...(p.fixedTime ? [t.earlier] : [t.earlier, t.later]));
      else if (p.fixedTime && wallClock(t.gapEnd, timezone) - dayStart < DAY) out.push(t.gapEnd);
    }
  }
  const runs = out.filter((t) => t > after);
  if (day.change === null) return runs;
  // Around a change, wall order is not time order, and several skipped times can end at one instant.
  return [...new Set(runs)].sort((a, b) => a - b);
}

/** The local days from the one holding `from`, in the direction `step` (+1 or -1), that match the pattern's date fields. */
function* matchingDays(p: CronPattern, from: number, step: 1 | -1, timezone: string): Generator<number> {
  const start = new Date(wallClock(from, timezone));
  let year = start.getUTCFullYear();
  let month = start.getUTCMonth() + 1;
  let day = start.getUTCDate();
  const stopYear = step === 1 ? LAST_YEAR : year - YEARS_BACK;
  while (step === 1 ? year < stopYear : year > stopYear) {
    if (p.months[month]) {
      const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
      for (; day >= 1 && day <= last; day += step) {
        if (matchesDate(p, year, month, day)) yield Date.UTC(year, month - 1, day);
      }
    }
    month += step;
    if (month > 12) [month, year] = [1, year + 1];
    if (month < 1) [month, year] = [12, year - 1];
    day = step === 1 ? 1 : new Date(Date.UTC(year, month, 0)).getUTCDate();
  }
}

function schedule(expression: string, timezone: string, p: CronPattern): CronSchedule {
  const nextAfter = (after: number): number | null => {
    for (const dayStart of matchingDays(p, after, 1, timezone)) {
      const run = runsOnDay(p, dayStart, timezone, after, true)[0];
      if (run !== undefined) return run;
    }
    return null;
  };
  return {
    expression,
    timezone,
    nextAfter,
    nextRuns(count, after) {
      const out: number[] = [];
      let from = after;
      while (out.length < count) {
        const next = nextAfter(from);
        if (next === null) break;
        out.push(next);
        from = next;
      }
      return out;
    },
    previousRuns(count, atOrBefore) {
      const out: number[] = [];
      if (count <= 0) return out;
      for (const dayStart of matchingDays(p, atOrBefore, -1, timezone)) {
        const runs = runsOnDay(p, dayStart, timezone);
        for (let i = runs.length - 1; i >= 0; i--) {
          const t = runs[i] ?? 0;
          if (t > atOrBefore) continue;
          out.push(t);
          if (out.length >= count) return out;
        }
      }
      return out;
    },
  };
}

export function parseCron(expression: string, timezone: string = DEFAULT_TIMEZONE): CronParseResult {
  const expr = expression.trim().replace(/\s+/g, " ");
  if (!isValidTimezone(timezone))
    return { ok: false, field: "timezone", error: `timezone "${timezone}" is not an IANA time zone (e.g. "Europe/Berlin", "UTC")` };
  let fields: string[];
  if (expr.startsWith("@")) {
    const shortcut = SHORTCUT_FIELDS[expr.toLowerCase() as keyof typeof SHORTCUT_FIELDS];
    if (!shortcut) return { ok: false, field: "expression", error: `unknown shortcut "${expr}"; use one of ${CRON_SHORTCUTS.join(", ")}` };
    fields = shortcut.split(" ");
  } else {
    fields = expr === "" ? [] : expr.split(" ");
    if (fields.length !== CRON_FIELDS.length) {
      return { ok: false, field: "expression", error: `expected 5 fields (${CRON_FIELDS.join(" ")}), got ${fields.length}` };
    }
  }
  let pattern: CronPattern;
  try {
    pattern = parseFields(fields);
  } catch (err) {
    if (!(err instanceof CronFieldError)) throw err;
    const text = fields[CRON_FIELDS.indexOf(err.field)];
    return { ok: false, field: err.field, error: `${err.field} field "${text}": ${err.message}` };
  }
  const result = schedule(expr, timezone, pattern);
  // The search goes as far as the year 3000, so "never" really means never (e.g. February 30th).
  if (result.nextAfter(Date.now()) === null) {
    return { ok: false, field: "day-of-month", error: `"${expr}" never matches a date: its day-of-month never occurs in its month` };
  }
  return { ok: true, schedule: result };
}
