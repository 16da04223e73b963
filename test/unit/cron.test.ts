/**
 * The cron module against documented examples. Expected times are worked out by hand from the
 * documents' own words (crontab(5) of Debian's cron, croner's README), not from the code.
 */
import { describe, expect, it } from "vitest";
import { parseCron } from "../../src/cron/cron";

const iso = (ms: number[]) => ms.map((t) => new Date(t).toISOString().replace(":00.000Z", "Z"));
const at = (s: string) => Date.parse(s);

function next(expr: string, from: string, count: number, tz = "UTC"): string[] {
  const parsed = parseCron(expr, tz);
  if (!parsed.ok) throw new Error(parsed.error);
  return iso(parsed.schedule.nextRuns(count, at(from)));
}

// 2026-01-01 is a Thursday.
const FROM = "2026-01-01T00:00:00Z";

describe("documented examples (UTC)", () => {
  const table: [source: string, expr: string, expected: string[]][] = [
    ["crontab(5): five minutes after midnight, every day", "5 0 * * *", ["2026-01-01T00:05Z", "2026-01-02T00:05Z"]],
    ["crontab(5): 2:15pm on the first of every month", "15 14 1 * *", ["2026-01-01T14:15Z", "2026-02-01T14:15Z"]],
    ["crontab(5): 10 pm on weekdays", "0 22 * * 1-5", ["2026-01-01T22:00Z", "2026-01-02T22:00Z", "2026-01-05T22:00Z"]],
    ["crontab(5): 23 minutes after midnight, 2am, 4am ...", "23 0-23/2 * * *", ["2026-01-01T00:23Z", "2026-01-01T02:23Z", "2026-01-01T04:23Z"]],
    ["crontab(5): 5 after 4 every sunday", "5 4 * * sun", ["2026-01-04T04:05Z", "2026-01-11T04:05Z"]],
    [
      "crontab(5): every 4th hour on the 1st and on every Monday",
      "0 */4 1 * mon",
      ["2026-01-01T04:00Z", "2026-01-01T08:00Z", "2026-01-01T12:00Z", "2026-01-01T16:00Z", "2026-01-01T20:00Z", "2026-01-05T00:00Z"],
    ],
    [
      "crontab(5): 4:30 am on the 1st and 15th of each month, plus every Friday",
      "30 4 1,15 * 5",
      ["2026-01-01T04:30Z", "2026-01-02T04:30Z", "2026-01-09T04:30Z", "2026-01-15T04:30Z", "2026-01-16T04:30Z"],
    ],
    [
      "crontab(5): range 8-11 in hours means 8, 9, 10 and 11",
      "0 8-11 * * *",
      ["2026-01-01T08:00Z", "2026-01-01T09:00Z", "2026-01-01T10:00Z", "2026-01-01T11:00Z", "2026-01-02T08:00Z"],
    ],
    ["crontab(5): list 1,2,5,9", "0 0 1,2,5,9 * *", ["2026-01-02T00:00Z", "2026-01-05T00:00Z", "2026-01-09T00:00Z", "2026-02-01T00:00Z"]],
    ["crontab(5): */15 in minutes", "*/15 * * * *", ["2026-01-01T00:15Z", "2026-01-01T00:30Z", "2026-01-01T00:45Z"]],
    ["crontab(5): month and day names", "0 12 * feb,jun sat", ["2026-02-07T12:00Z", "2026-02-14T12:00Z"]],
    ["issue: weekday mornings", "0 9 * * MON-FRI", ["2026-01-01T09:00Z", "2026-01-02T09:00Z", "2026-01-05T09:00Z"]],
    ["croner: @hourly is 0 * * * *", "@hourly", ["2026-01-01T01:00Z", "2026-01-01T02:00Z"]],
    ["croner: @daily is 0 0 * * *", "@daily", ["2026-01-02T00:00Z", "2026-01-03T00:00Z"]],
    ["croner: @weekly is 0 0 * * 0", "@weekly", ["2026-01-04T00:00Z", "2026-01-11T00:00Z"]],
    ["croner: @monthly is 0 0 1 * *", "@monthly", ["2026-02-01T00:00Z", "2026-03-01T00:00Z"]],
    ["croner: @yearly is 0 0 1 1 *", "@yearly", ["2027-01-01T00:00Z", "2028-01-01T00:00Z"]],
    ["crontab(5): Feb 29 only in leap years", "0 0 29 2 *", ["2028-02-29T00:00Z", "2032-02-29T00:00Z"]],
  ];
  it.each(table)("%s: %s", (_source, expr, expected) => {
    expect(next(expr, FROM, expected.length)).toEqual(expected);
  });

  it("a time exactly on a match is not its own next run", () => {
    expect(next("0 0 * * *", "2026-01-01T00:00:00Z", 1)).toEqual(["2026-01-02T00:00Z"]);
  });
});

describe("time zones", () => {
  it("runs at the zone's wall-clock time", () => {
    expect(next("0 9 * * *", FROM, 2, "America/New_York")).toEqual(["2026-01-01T14:00Z", "2026-01-02T14:00Z"]);
    // 09:00 in Tokyo is exactly FROM, so the next is a day later.
    expect(next("0 9 * * *", FROM, 1, "Asia/Tokyo")).toEqual(["2026-01-02T00:00Z"]);
  });

  // crontab(5), "daylight saving time": jobs at a fixed time in a skipped interval run right
  // after the change; fixed-time jobs in a repeated interval run once; wildcard jobs follow
  // the new wall clock. New York: 2026-03-08 02:00 EST -> 03:00 EDT, 2026-11-01 02:00 EDT -> 01:00 EST.
  it("spring forward: a fixed time inside the gap runs right after it", () => {
    expect(next("30 2 * * *", "2026-03-08T00:00:00Z", 2, "America/New_York")).toEqual(["2026-03-08T07:00Z", "2026-03-09T06:30Z"]);
    // Berlin 2026-03-29 02:00 CET -> 03:00 CEST.
    expect(next("30 2 * * *", "2026-03-28T12:00:00Z", 2, "Europe/Berlin")).toEqual(["2026-03-29T01:00Z", "2026-03-30T00:30Z"]);
  });

  it("spring forward: a wildcard job skips the missing half hours", () => {
    expect(next("*/30 * * * *", "2026-03-08T06:00:00Z", 3, "America/New_York")).toEqual(["2026-03-08T06:30Z", "2026-03-08T07:00Z", "2026-03-08T07:30Z"]);
  });

  it("fall back: a fixed time in the repeated hour runs once", () => {
    expect(next("30 1 * * *", "2026-11-01T00:00:00Z", 2, "America/New_York")).toEqual(["2026-11-01T05:30Z", "2026-11-02T06:30Z"]);
    // Berlin 2026-10-25 03:00 CEST -> 02:00 CET: 02:30 happens twice, the job runs at the first.
    expect(next("30 2 * * *", "2026-10-24T12:00:00Z", 2, "Europe/Berlin")).toEqual(["2026-10-25T00:30Z", "2026-10-26T01:30Z"]);
  });

  it("fall back: a wildcard job runs in both passes of the repeated hour", () => {
    expect(next("0,30 * * * *", "2026-11-01T04:45:00Z", 5, "America/New_York")).toEqual([
      "2026-11-01T05:00Z",
      "2026-11-01T05:30Z",
      "2026-11-01T06:00Z",
      "2026-11-01T06:30Z",
      "2026-11-01T07:00Z",
    ]);
  });
});

describe("invalid expressions name the bad field", () => {
  const table: [expr: string, field: string, mentions: string][] = [
    ["61 * * * *", "minute", 'minute field "61"'],
    ["*/0 * * * *", "minute", 'minute field "*/0"'],
    ["* 24 * * *", "hour", 'hour field "24"'],
    ["* * 0 * *", "day-of-month", 'day-of-month field "0"'],
    ["* * 32 * *", "day-of-month", 'day-of-month field "32"'],
    ["* * * 13 *", "month", 'month field "13"'],
    ["* * * * 8", "day-of-week", 'day-of-week field "8"'],
    ["* * * * FOO", "day-of-week", 'day-of-week field "FOO"'],
    ["5-2 * * * *", "minute", 'minute field "5-2"'],
    ["* * * *", "expression", "expected 5 fields"],
    ["0 * * * * *", "expression", "got 6"],
    ["", "expression", "got 0"],
    ["@reboot", "expression", "unknown shortcut"],
    ["0 0 30 2 *", "day-of-month", "never matches"],
  ];
  it.each(table)("%s → %s", (expr, field, mentions) => {
    const parsed = parseCron(expr);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.field).toBe(field);
    expect(parsed.error).toContain(mentions);
  });

  it("rejects an unknown time zone", () => {
    const parsed = parseCron("0 9 * * *", "Mars/Olympus_Mons");
    expect(parsed).toMatchObject({ ok: false, field: "timezone" });
  });
});
