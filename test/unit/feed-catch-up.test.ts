/**
 * The dashboard feed's reconnect catch-up against an in-memory copy of GET /api/events
 * (newest first, ids strictly between `after` and `before`, `limit` rows): every missed event
 * comes back whatever the outage's length, in a bounded number of requests.
 */
import { describe, expect, it } from "vitest";
import { CATCH_UP_OVERLAP_MS, catchUpCursor, fetchMissedEvents, newerId } from "../../dashboard/src/feed/catch-up";

type Row = { id: string };
const ids = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `evt_${String(i).padStart(6, "0")}` }));

function eventsApi(rows: Row[]) {
  const calls: { limit: number; after?: string; before?: string }[] = [];
  const fetchPage = async (q: { limit: number; after?: string; before?: string }) => {
    calls.push(q);
    return rows
      .filter((r) => (!q.after || r.id > q.after) && (!q.before || r.id < q.before))
      .sort((a, b) => (a.id < b.id ? 1 : -1))
      .slice(0, q.limit);
  };
  return { fetchPage, calls };
}

describe("feed catch-up", () => {
  it("takes the newest page on the first connection", async () => {
    const api = eventsApi(ids(1000));
    const got = await fetchMissedEvents(api.fetchPage, undefined, { pageSize: 200, maxRows: 500 });
    expect(got.events).toHaveLength(200);
    expect(got.events[0]!.id).toBe("evt_000999");
    expect(api.calls).toEqual([{ limit: 200 }]);
  });

  it("pages back to the last seen event when more than a page was missed", async () => {
    const rows = ids(1000);
    const api = eventsApi(rows);
    // The page had seen up to evt_000549; 450 events happened while it was disconnected.
    const got = await fetchMissedEvents(api.fetchPage, "evt_000549", { pageSize: 200, maxRows: 500 });
    expect(got.events.map((e) => e.id).sort()).toEqual(rows.slice(550).map((r) => r.id));
    expect(got.requests).toBe(3);
    expect(api.calls[1]).toEqual({ limit: 200, after: "evt_000549", before: "evt_000800" });
  });

  it("stops once it holds as many rows as the page keeps: older ones would be trimmed", async () => {
    const api = eventsApi(ids(5000));
    const got = await fetchMissedEvents(api.fetchPage, "evt_000010", { pageSize: 200, maxRows: 500 });
    expect(got.requests).toBe(3);
    // Contiguous from the newest: nothing between the rows it returns is missing.
    const sorted = got.events
      .map((e) => e.id)
      .sort()
      .reverse();
    expect(sorted.slice(0, 500)).toEqual(
      ids(5000)
        .slice(4500)
        .map((r) => r.id)
        .reverse(),
    );
  });

  it("asks once when nothing, or less than a page, was missed", async () => {
    const api = eventsApi(ids(100));
    expect(await fetchMissedEvents(api.fetchPage, "evt_000099", { pageSize: 200, maxRows: 500 })).toEqual({ events: [], requests: 1 });
    expect((await fetchMissedEvents(api.fetchPage, "evt_000089", { pageSize: 200, maxRows: 500 })).events).toHaveLength(10);
  });

  it("keeps the newest id", () => {
    expect(newerId(undefined, "evt_b")).toBe("evt_b");
    expect(newerId("evt_c", "evt_b")).toBe("evt_c");
    expect(newerId("evt_a", undefined)).toBe("evt_a");
  });

  it("starts a reconnection's catch-up an overlap before the last event seen, below every id of that millisecond", () => {
    const ms = 1_790_000_000_000;
    const seen = `evt_${ms.toString(36).padStart(9, "0")}k3j2h1g0`;
    const cursor = catchUpCursor(seen);
    expect(cursor).toBe(`evt_${(ms - CATCH_UP_OVERLAP_MS).toString(36).padStart(9, "0")}`);
    expect(`evt_${(ms - CATCH_UP_OVERLAP_MS).toString(36).padStart(9, "0")}00000000` > cursor).toBe(true);
    expect(catchUpCursor("evt_000549")).toBe("evt_000549");
  });
});
