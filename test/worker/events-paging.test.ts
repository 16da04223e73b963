/**
 * GET /api/events pages: newest first, with `after` and `before` bounding the ids, which is how
 * the dashboard's feed catches up after a reconnection without a gap.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { fetchMissedEvents } from "../../dashboard/src/feed/catch-up";
import { newId } from "../../src/crypto/random";
import { adminToken, call } from "./helpers";

let token: string;
const ids = Array.from({ length: 7 }, (_, i) => `evt_paging${i}`);

beforeAll(async () => {
  token = await adminToken();
  await env.DB.batch(ids.map((id, i) => env.DB.prepare("INSERT INTO events (id, at, kind, detail) VALUES (?, ?, 'paging.test', '{}')").bind(id, 1000 + i)));
});

async function page(query: string): Promise<string[]> {
  const res = await call<{ events: { id: string }[] }>("GET", `/api/events?kind=paging.test&${query}`, undefined, token);
  expect(res.status).toBe(200);
  return res.body.events.map((e) => e.id);
}

describe("GET /api/events paging", () => {
  it("answers newest first, strictly between after and before", async () => {
    expect(await page("limit=3")).toEqual([ids[6], ids[5], ids[4]]);
    expect(await page(`after=${ids[1]}&before=${ids[5]}`)).toEqual([ids[4], ids[3], ids[2]]);
    expect(await page(`after=${ids[1]}&before=${ids[4]}&limit=1`)).toEqual([ids[3]]);
    expect(await page(`before=${ids[2]}`)).toEqual([ids[1], ids[0]]);
  });

  it("pages back from the newest to a known id", async () => {
    const seen: string[] = [];
    let before = "";
    for (;;) {
      const rows = await page(`after=${ids[0]}&limit=2${before ? `&before=${before}` : ""}`);
      seen.push(...rows);
      if (rows.length < 2) break;
      before = rows.at(-1)!;
    }
    expect(seen).toEqual(ids.slice(1).reverse());
  });

  it("a reconnecting feed gets events that share a millisecond with the last one it saw, or were written just after it", async () => {
    // Ids are a millisecond timestamp and a random suffix, minted in many objects: two events of
    // the same millisecond sort by chance, and an event minted earlier can be written (and
    // published) after one minted later.
    const ms = Date.now().toString(36).padStart(9, "0");
    const earlier = (Date.now() - 2000).toString(36).padStart(9, "0");
    const seen = { id: `evt_${ms}zzzzzzzz`, at: Date.now() };
    const sameMs = { id: `evt_${ms}aaaaaaaa`, at: Date.now() };
    const writtenLate = { id: `evt_${earlier}mmmmmmmm`, at: Date.now() - 2000 };
    await env.DB.batch(
      [seen, sameMs, writtenLate].map((e) => env.DB.prepare("INSERT INTO events (id, at, kind, detail) VALUES (?, ?, 'catchup.test', '{}')").bind(e.id, e.at)),
    );
    const fetchPage = async (q: { limit: number; after?: string; before?: string }) => {
      const query = new URLSearchParams({
        kind: "catchup.test",
        limit: String(q.limit),
        ...(q.after ? { after: q.after } : {}),
        ...(q.before ? { before: q.before } : {}),
      });
      return (await call<{ events: { id: string }[] }>("GET", `/api/events?${query}`, undefined, token)).body.events;
    };
    // The feed had received `seen` live, then lost its connection.
    const missed = await fetchMissedEvents(fetchPage, seen.id, { pageSize: 200, maxRows: 500 });
    expect(missed.events.map((e) => e.id)).toEqual(expect.arrayContaining([sameMs.id, writtenLate.id]));
  });

  it("ids minted in one burst (the same millisecond) sort in the order they were minted", () => {
    const burst = Array.from({ length: 500 }, () => newId("evt"));
    expect([...burst].sort()).toEqual(burst);
  });
});
