/**
 * Wall-clock time in an IANA time zone for the cron scheduler (src/cron/cron.ts), with the
 * runtime's Intl (the same in Workers and Node): the zone's offset at an instant, the calendar
 * date at an instant, and the instants a wall-clock time stands for — one, two when the clocks
 * fall back (the earlier first), none when they spring forward (with the instant the gap ends).
 * Wall-clock times are written as if they were UTC milliseconds (`Date.UTC` of the fields).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** The wall-clock time at `instant` (whole seconds), as UTC milliseconds of its fields. */
export function wallClock(instant: number, timezone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timezone).formatToParts(new Date(instant))) {
    if (p.type !== "literal") parts[p.type] = Number.parseInt(p.value, 10);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  return Date.UTC(year, month - 1, day, hour % 24, minute, second);
}

/** The zone's offset from UTC at `instant`, in milliseconds (whole seconds). */
export function offsetAt(instant: number, timezone: string): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return wallClock(whole, timezone) - whole;
}

/** The first instant at or after `from` whose offset differs from `from`'s, searched up to `to` (1 s resolution). */
function transitionBetween(from: number, to: number, timezone: string): number {
  const before = offsetAt(from, timezone);
  let lo = from;
  let hi = to;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetAt(mid, timezone) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

// Offsets lie within -12 h and +14 h, so these bound every instant of a local day.
const EARLIEST = 15 * 3600_000;
const LATEST = 13 * 3600_000;
const DAY = 86_400_000;

export type WallTime = { kind: "single"; at: number } | { kind: "repeated"; earlier: number; later: number } | { kind: "skipped"; gapEnd: number };

/**
 * What the local day starting at wall-clock `dayStart` needs to turn its times into instants: the
 * offsets before and after its daylight-saving change and the instant of that change, found once
 * per day (nearly every day has none: then `change` is null and one offset holds all day).
 */
export interface LocalDay {
  readonly before: number;
  readonly after: number;
  readonly change: number | null;
}

/** Days already worked out: enumerating runs visits the same few days again and again. */
const days = new Map<string, LocalDay>();
const MAX_CACHED_DAYS = 512;

export function localDay(dayStart: number, timezone: string): LocalDay {
  const key = `${timezone} ${dayStart}`;
  const cached = days.get(key);
  if (cached) return cached;
  const from = dayStart - EARLIEST;
  const to = dayStart + DAY + LATEST;
  const before = offsetAt(from, timezone);
  const after = offsetAt(to, timezone);
  const day = { before, after, change: before === after ? null : transitionBetween(from, to, timezone) };
  if (days.size >= MAX_CACHED_DAYS) days.clear();
  days.set(key, day);
  return day;
}

/**
 * The instants the wall-clock time `wall` of `day` stands for: an instant before the change has
 * the earlier offset, one at or after it the later offset.
 */
export function resolveWallTime(wall: number, day: LocalDay): WallTime {
  if (day.change === null) return { kind: "single", at: wall - day.before };
  const a = wall - day.before;
  const b = wall - day.after;
  const aValid = a < day.change;
  const bValid = b >= day.change;
  if (aValid && bValid && a !== b) return { kind: "repeated", earlier: Math.min(a, b), later: Math.max(a, b) };
  if (aValid) return { kind: "single", at: a };
  if (bValid) return { kind: "single", at: b };
  return { kind: "skipped", gapEnd: day.change };
}
