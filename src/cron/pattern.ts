/**
 * Parses the five fields of a cron expression into sets of matching values (src/cron/cron.ts
 * validates and schedules with it). The syntax is Vixie cron's (crontab(5)) with croner's
 * extensions, which docs/scheduler.md promises: lists, ranges, `*` and `?`, steps on `*` or a
 * range (`*\/15`, `0-23/2`, not `5/15`), month and weekday names, weekday 7 as Sunday; in
 * day-of-month `L` (last day), `LW` (last weekday) and `15W` (the weekday nearest the 15th, within
 * the month); in day-of-week `5#2` (the second Friday), `5#L` or `5L` (the last Friday) and a
 * leading `+` (day-of-month AND day-of-week instead of OR). Each error names its field.
 */

export const FIELD_NAMES = ["minute", "hour", "day-of-month", "month", "day-of-week"] as const;
export type FieldName = (typeof FIELD_NAMES)[number];

export class CronFieldError extends Error {
  constructor(
    readonly field: FieldName,
    message: string,
  ) {
    super(message);
    this.name = "CronFieldError";
  }
}

/** Occurrence bits of a weekday in day-of-week: 1st..5th are 1..16, last is 32, any is 63. */
const ANY_OCCURRENCE = 63;
const LAST_OCCURRENCE = 32;

export interface CronPattern {
  readonly minutes: readonly boolean[]; // 0-59
  readonly hours: readonly boolean[]; // 0-23
  readonly days: readonly boolean[]; // 1-31
  readonly months: readonly boolean[]; // 1-12
  /** Per weekday (0 = Sunday), the occurrences in the month that match (0 = none). */
  readonly weekdays: readonly number[];
  /** Days given as `15W`: the weekday nearest each. */
  readonly nearestWeekdays: readonly number[];
  readonly lastDay: boolean;
  readonly lastWeekday: boolean;
  /** Day-of-month is `*` (or `?`): the day depends on day-of-week alone. */
  readonly anyDay: boolean;
  /** Day-of-week is `*` (or `?`). */
  readonly anyWeekday: boolean;
  /** Day-of-week began with `+`: both day fields must match. */
  readonly bothDays: boolean;
  /**
   * A fixed-time job for daylight-saving changes: no `*` or step in its minute and hour (Vixie
   * cron's rule, croner's `fixedTimeRule: "no-wildcard"`). It runs once in a repeated hour and
   * right after a skipped one; any other job follows the wall clock.
   */
  readonly fixedTime: boolean;
}

const MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

interface FieldSpec {
  readonly name: FieldName;
  readonly min: number;
  readonly max: number;
}

const SPECS: Record<FieldName, FieldSpec> = {
  minute: { name: "minute", min: 0, max: 59 },
  hour: { name: "hour", min: 0, max: 23 },
  "day-of-month": { name: "day-of-month", min: 1, max: 31 },
  month: { name: "month", min: 1, max: 12 },
  // 7 is Sunday as well as 0.
  "day-of-week": { name: "day-of-week", min: 0, max: 7 },
};

/** Replaces month or weekday names by their numbers; a name must stand alone between separators. */
function replaceNames(text: string, names: string[], first: number, spec: FieldSpec): string {
  return text.replace(/[a-z]+/gi, (word: string, at: number) => {
    const lower = word.toLowerCase();
    const i = names.indexOf(lower);
    // A range that ends on Sunday (FRI-SUN) ends on 7, as croner reads it.
    if (i === 0 && names === DAY_NAMES && text[at - 1] === "-") return "7";
    if (i >= 0) return String(i + first);
    // Letters that are syntax, not names (L, W, LW) are left for the parser to judge.
    if (/^(l|w|lw)$/i.test(word) || /^\d*[lw]$/i.test(word)) return word;
    throw new CronFieldError(spec.name, `unknown name "${word}"`);
  });
}

function number(text: string, spec: FieldSpec): number {
  if (!/^\d+$/.test(text)) throw new CronFieldError(spec.name, `"${text}" is not a number`);
  const n = Number.parseInt(text, 10);
  if (n < spec.min || n > spec.max) throw new CronFieldError(spec.name, `Invalid value for ${spec.name}: ${n} (${spec.min}-${spec.max})`);
  return n;
}

/** The values one list item (`*`, `n`, `a-b`, `*\/s`, `a-b/s`) stands for. */
function values(item: string, spec: FieldSpec): number[] {
  const [range, stepText, extra] = item.split("/");
  if (extra !== undefined || range === undefined) throw new CronFieldError(spec.name, `illegal step "${item}"`);
  let from: number;
  let to: number;
  if (range === "*") {
    from = spec.min;
    to = spec.name === "day-of-week" ? 6 : spec.max;
  } else if (range.includes("-")) {
    const [a, b, more] = range.split("-");
    if (a === undefined || b === undefined || more !== undefined) throw new CronFieldError(spec.name, `illegal range "${item}"`);
    from = number(a, spec);
    to = number(b, spec);
    if (from > to) throw new CronFieldError(spec.name, `range "${range}" runs backwards`);
  } else {
    if (stepText !== undefined) throw new CronFieldError(spec.name, `a step needs * or a range before it ("${item}"), e.g. */15 or 0-30/15`);
    return [number(range, spec)];
  }
  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d+$/.test(stepText)) throw new CronFieldError(spec.name, `illegal step "${item}"`);
    step = Number.parseInt(stepText, 10);
    if (step < 1 || step > spec.max - spec.min + 1) throw new CronFieldError(spec.name, `illegal step ${step} in "${item}"`);
  }
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

function plainField(text: string, spec: FieldSpec): boolean[] {
  const set: boolean[] = new Array(spec.max + 1).fill(false);
  if (/[^0-9*,/-]/.test(text)) throw new CronFieldError(spec.name, `illegal characters in "${text}"`);
  for (const item of text.split(",")) {
    if (item === "") throw new CronFieldError(spec.name, `empty item in "${text}"`);
    for (const v of values(item, spec)) set[v] = true;
  }
  return set;
}

function dayOfMonthField(text: string): { days: boolean[]; nearest: number[]; last: boolean; lastWeekday: boolean } {
  const spec = SPECS["day-of-month"];
  const days: boolean[] = new Array(32).fill(false);
  const nearest: number[] = [];
  if (/^lw$/i.test(text)) return { days, nearest, last: false, lastWeekday: true };
  let last = false;
  for (const item of text.split(",")) {
    if (/^l$/i.test(item)) last = true;
    else if (/^\d+w$/i.test(item)) nearest.push(number(item.slice(0, -1), spec));
    else if (/[lw]/i.test(item)) throw new CronFieldError(spec.name, `L stands alone and W follows a single day ("${item}")`);
    else if (item === "") throw new CronFieldError(spec.name, `empty item in "${text}"`);
    else if (/[^0-9*/-]/.test(item)) throw new CronFieldError(spec.name, `illegal characters in "${item}"`);
    else for (const v of values(item, spec)) days[v] = true;
  }
  return { days, nearest, last, lastWeekday: false };
}

function dayOfWeekField(text: string): number[] {
  const spec = SPECS["day-of-week"];
  const weekdays: number[] = new Array(7).fill(0);
  for (const item of text.split(",")) {
    if (item === "") throw new CronFieldError(spec.name, `empty item in "${text}"`);
    let body = item;
    let occurrence = ANY_OCCURRENCE;
    const hash = /^(.*)#(.*)$/.exec(item);
    if (hash) {
      body = hash[1] ?? "";
      const nth = hash[2] ?? "";
      if (/^l$/i.test(nth)) occurrence = LAST_OCCURRENCE;
      else if (/^[1-5]$/.test(nth)) occurrence = 1 << (Number(nth) - 1);
      else throw new CronFieldError(spec.name, `the occurrence after # is 1 to 5 or L ("${item}")`);
    } else if (/^\d+l$/i.test(item)) {
      body = item.slice(0, -1);
      occurrence = LAST_OCCURRENCE;
    }
    if (/[^0-9*/-]/.test(body) || body === "") throw new CronFieldError(spec.name, `illegal characters in "${item}"`);
    for (const v of values(body, spec)) weekdays[v % 7] = (weekdays[v % 7] ?? 0) | occurrence;
  }
  return weekdays;
}

/** True when a minute or hour field has no `*` and no step, so the job is at fixed wall times. */
function isFixed(field: string): boolean {
  return !field.includes("*") && !field.includes("/");
}

/** Parses the five fields (already split); throws a CronFieldError naming the first bad one. */
export function parseFields(fields: readonly string[]): CronPattern {
  const [minuteText, hourText, domText, monthText, dowRaw] = fields.map((f) => f.replace(/\?/g, "*"));
  if (minuteText === undefined || hourText === undefined || domText === undefined || monthText === undefined || dowRaw === undefined) {
    throw new Error(`expected ${FIELD_NAMES.length} fields`);
  }
  const minutes = plainField(minuteText, SPECS.minute);
  const hours = plainField(hourText, SPECS.hour);
  const dom = dayOfMonthField(replaceNames(domText, [], 0, SPECS["day-of-month"]));
  const months = plainField(replaceNames(monthText, MONTH_NAMES, 1, SPECS.month), SPECS.month);
  const bothDays = dowRaw.startsWith("+");
  const dowText = bothDays ? dowRaw.slice(1) : dowRaw;
  if (dowText === "") throw new CronFieldError("day-of-week", "nothing after +");
  const weekdays = dayOfWeekField(replaceNames(dowText, DAY_NAMES, 0, SPECS["day-of-week"]));
  return {
    minutes,
    hours,
    days: dom.days,
    months,
    weekdays,
    nearestWeekdays: dom.nearest,
    lastDay: dom.last,
    lastWeekday: dom.lastWeekday,
    anyDay: domText === "*",
    anyWeekday: dowText === "*",
    bothDays,
    fixedTime: isFixed(minuteText) && isFixed(hourText),
  };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function weekday(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

/** Whether the calendar date (month 1-12) matches the pattern's day-of-month, month and day-of-week. */
export function matchesDate(p: CronPattern, year: number, month: number, day: number): boolean {
  if (!p.months[month]) return false;
  const last = daysInMonth(year, month);
  let byDay = p.days[day] === true || (p.lastDay && day === last);
  if (!byDay && p.lastWeekday) {
    const wd = weekday(year, month, last);
    byDay = day === (wd === 0 ? last - 2 : wd === 6 ? last - 1 : last);
  }
  if (!byDay) {
    for (const n of p.nearestWeekdays) {
      if (n > last) continue;
      const wd = weekday(year, month, n);
      if (day === (wd === 0 ? (n === last ? n - 2 : n + 1) : wd === 6 ? (n === 1 ? n + 2 : n - 1) : n)) {
        byDay = true;
        break;
      }
    }
  }
  if (p.anyWeekday) return byDay;
  const occurrences = p.weekdays[weekday(year, month, day)] ?? 0;
  const nth = 1 << Math.floor((day - 1) / 7);
  const byWeekday = (occurrences & nth) !== 0 || ((occurrences & LAST_OCCURRENCE) !== 0 && day + 7 > last);
  if (p.bothDays || p.anyDay) return byDay && byWeekday;
  return byDay || byWeekday;
}
