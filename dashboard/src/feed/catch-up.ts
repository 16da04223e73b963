/**
 * What the feed missed while it was away. The first connection takes the newest page; a
 * reconnection pages back from the newest event to the last one it has (`after`), using the
 * oldest id of each page as the next `before`, until a short page says it has caught up. It
 * stops early once it holds as many rows as the page keeps, since older ones would be trimmed
 * anyway: an outage of any length costs a bounded number of requests and leaves no gap.
 */

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
  let before: string | undefined;
  let requests = 0;
  for (;;) {
    const page = await fetchPage({ limit: options.pageSize, after: lastSeenId, ...(before ? { before } : {}) });
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
