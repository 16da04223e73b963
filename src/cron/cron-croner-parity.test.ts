/**
 * The cron module against croner, the library it replaced, configured as the scheduler used it
 * (5 fields, Vixie cron's fixed-time rule for daylight saving, day-of-month OR day-of-week):
 * the same expressions are accepted and rejected, and the next and previous run times agree in
 * time zones with whole-hour, half-hour and southern-hemisphere daylight-saving changes, from
 * instants just before, inside and after each change.
 */
import { Cron } from "croner";
import { describe, expect, it } from "vitest";
import { parseCron } from "./cron";

function croner(expr: string, timezone: string): Cron | null {
  try {
    return new Cron(expr, { mode: "5-part", fixedTimeRule: "no-wildcard", paused: true, timezone });
  } catch {
    return null;
  }
}

const EXPRESSIONS = [
  "* * * * *",
  "*/7 * * * *",
  "0 * * * *",
  "30 2 * * *",
  "0,30 2 * * *",
  "15 1,2,3 * * *",
  "0 0-23/2 * * *",
  "0 1-3 * * *",
  "*/20 1-3 * * *",
  "45 23 * * *",
  "0 0 * * *",
  "5 4 * * sun",
  "0 9 * * MON-FRI",
  "0 12 * * fri-sun",
  "0 12 * * 7",
  "0 8 1,15 * 5",
  "0 8 1 * +mon",
  "0 0 L * *",
  "0 6 LW * *",
  "0 6 15W * *",
  "0 6 1W,31W * *",
  "0 10 * * 5#2",
  "0 10 * * fri#L",
  "0 10 * * 1L",
  "0 10 * * 1#5",
  "0 0 29 2 *",
  "0 0 */3 * *",
  "0 0 * */2 *",
  "0 12 * feb,jun sat",
  "0 0 ? * ?",
  "30 3 * * 0",
  "0 0 31 * *",
];

const REJECTED = [
  "61 * * * *",
  "*/0 * * * *",
  "5/10 * * * *",
  "5-2 * * * *",
  "* 24 * * *",
  "* * 0 * *",
  "* * 32 * *",
  "* * * 13 *",
  "* * * * 8",
  "* * * * FOO",
  "* * 1-5W * *",
  "* * * * 5#6",
  "* * * * +",
  "* * L,LW * *",
  "* * 3L * *",
  "x * * * *",
  "* * * jan-foo *",
];

// Whole-hour changes north and south, a 30-minute change (Lord Howe), a change at midnight (Santiago), none (Kolkata).
const ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Australia/Sydney", "Australia/Lord_Howe", "America/Santiago", "Asia/Kolkata"];

// Instants around 2026's changes in those zones, and ordinary ones.
const STARTS = [
  "2026-01-01T00:00:00Z",
  "2026-03-08T06:30:00Z",
  "2026-03-29T00:30:00Z",
  "2026-04-04T14:30:00Z",
  "2026-04-04T15:10:00Z",
  "2026-09-06T03:30:00Z",
  "2026-10-03T15:45:00Z",
  "2026-10-25T01:10:00Z",
  "2026-11-01T05:20:00Z",
  "2026-11-01T06:05:00Z",
  "2026-12-31T23:59:30Z",
].map((s) => Date.parse(s));

describe("the cron module schedules as croner did", () => {
  it.each(EXPRESSIONS)("accepts %s, and every next and previous run matches croner's", (expr) => {
    for (const tz of ZONES) {
      const ours = parseCron(expr, tz);
      const theirs = croner(expr, tz);
      expect(theirs, `croner accepts ${expr}`).not.toBeNull();
      expect(ours.ok, `accepts ${expr}`).toBe(true);
      if (!ours.ok || !theirs) continue;
      for (const start of STARTS) {
        const at = `${expr} in ${tz} from ${new Date(start).toISOString()}`;
        const next = theirs.nextRuns(5, new Date(start)).map((d) => d.getTime());
        expect(ours.schedule.nextRuns(5, start), `next: ${at}`).toEqual(next);
        const previous = theirs
          .previousRuns(4, new Date(start + 1000))
          .map((d) => d.getTime())
          .filter((t) => t <= start)
          .slice(0, 3);
        expect(ours.schedule.previousRuns(3, start).slice(0, previous.length), `previous: ${at}`).toEqual(previous);
      }
    }
  });

  it.each(REJECTED)("rejects %s, as croner does", (expr) => {
    expect(croner(expr, "UTC")).toBeNull();
    expect(parseCron(expr).ok).toBe(false);
  });
});
