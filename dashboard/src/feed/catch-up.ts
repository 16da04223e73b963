/**
 * What the feed missed while it was away. The first connection takes the newest page; a
 * reconnection pages back from the newest event to the last one it has (`after`), using the
 * oldest id of each page as the next `before`, until a short page says it has caught up. It
 * stops early once it holds as many rows as the page keeps, since older ones would be trimmed
 * anyway: an outage of any length costs a bounded number of requests and leaves no gap.
 *
 * Event ids order by the millisecond they were minted, but events come from many objects: two
 * of the same millisecond sort by chance, and an event minted a little earlier can be written
 * (and sent live) after one minted later. So the catch-up starts CATCH_UP_OVERLAP_MS before the
 * last event seen rather than right after it; the rows it has already are dropped by id.
 */

/** How far before the last seen event a reconnection looks again. */
export const CATCH_UP_OVERLAP_MS = 60_000;

/** Event ids: `evt_`, the millisecond in base 36 (9 characters), a suffix. */
const EVENT_ID = /^(evt_)([0-9a-z]{9})[0-9a-z]+$/;

/** The `after` bound for a catch-up from `lastSeenId`: an id just below every event of CATCH_UP_OVERLAP_MS earlier. */
export function catchUpCursor(lastSeenId: string): string {
  const m = EVENT_ID.exec(lastSeenId);
  if (!m) return lastSeenId;
  const ms = Number.parseInt(m[2]!, 36) - CATCH_UP_OVERLAP_MS;
  return `${m[1]}${Math.max(0, ms).toString(36).padStart(9, "0")}`;
}

/** One request to `GET /api/events`: newest first, ids strictly between `after` and `before`. */
export type FetchEventPage<E> = (query: { limit: number; after?: string; before?: string }) => Promise<E[]>;

export interface CatchUpOptions {
  /** Rows per request (the API allows up to 500). */
  pageSize: number;
  /** How many rows the page keeps; paging further back would only fetch rows that are dropped. */
  maxRows: number;
}

export interface CatchUpResult<E> {
  events: E[];
  /** Requests made, for tests and diagnostics. */
  requests: number;
}

export async function fetchMissedEvents<E extends { id: string }>(
  fetchPage: FetchEventPage<E>,
  lastSeenId: string | undefined,
  options: CatchUpOptions,
): Promise<CatchUpResult<E>> {
  if (!lastSeenId) return { events: await fetchPage({ limit: options.pageSize }), requests: 1 };
  const events: E[] = [];
  const after = catchUpCursor(lastSeenId);
  let before: string | undefined;
  let requests = 0;
  for (;;) {
    const page = await fetchPage({ limit: options.pageSize, after, ...(before ? { before } : {}) });
    requests++;
    events.push(...page);
    const oldest = page.at(-1);
    if (page.length < options.pageSize || !oldest || events.length >= options.maxRows) return { events, requests };
    before = oldest.id;
  }
}

/** The newest of two ids (ids are time-ordered strings). */
export function newerId(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}
