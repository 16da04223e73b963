/**
 * What the per-message and admin reads cost in D1's own measure (rows read, as D1 bills them):
 * the budget check reads exactly the two totals it needs however busy the day was, and a run's
 * model calls are found through the primary key, not by scanning api_calls (which has no
 * run_id index: each index costs a row written on every call recorded).
 */
import { env } from "cloudflare:test";
import { and, desc } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { budgetTotalsQuery, utcDayStart } from "../../src/agent/budget";
import { openDb } from "../../src/db/client";
import { apiCalls } from "../../src/db/schema";
import { ofRun } from "../../src/api/usage";

const db = openDb(env.DB);
const day = utcDayStart(Date.parse("2026-03-04T12:00:00Z"));

async function rowsRead(query: { toSQL(): { sql: string; params: unknown[] } }): Promise<{ rows: number; read: number }> {
  const { sql, params } = query.toSQL();
  const result = await env.DB.prepare(sql)
    .bind(...params)
    .all();
  return { rows: result.results.length, read: result.meta.rows_read };
}

beforeAll(async () => {
  // A busy day: the account and 40 senders, both sides of the sender the check is for.
  const scopes = ["account", ...Array.from({ length: 40 }, (_, i) => `ch_cost:sender-${String(i).padStart(2, "0")}`)];
  await env.DB.batch(
    scopes.map((scope, i) => env.DB.prepare("INSERT INTO spend_daily (day, scope, tokens, cost_usd) VALUES (?, ?, ?, ?)").bind(day, scope, 100 + i, 0.01 * i)),
  );
  const calls = Array.from({ length: 60 }, (_, i) => {
    const run = `run_cost${String(i % 20).padStart(2, "0")}`;
    return env.DB.prepare(
      "INSERT INTO api_calls (id, created_at, channel_id, sender_id, session_id, run_id, purpose, mode, model, status) VALUES (?, ?, 'ch_cost', 's', 'ch_cost:s', ?, 'turn', 'direct', 'm', 'ok')",
    ).bind(`${run}:${String(Math.floor(i / 20) + 1).padStart(3, "0")}`, day + i, run);
  });
  // A run id that is a prefix of another's must not pick up that one's calls.
  calls.push(
    env.DB.prepare(
      "INSERT INTO api_calls (id, created_at, channel_id, sender_id, session_id, run_id, purpose, mode, model, status) VALUES ('run_cost07x:001', ?, 'ch_cost', 's', 'ch_cost:s', 'run_cost07x', 'turn', 'direct', 'm', 'ok')",
    ).bind(day),
  );
  await env.DB.batch(calls);
});

describe("D1 rows read", () => {
  it("the budget check reads the account's and the sender's totals: two rows", async () => {
    expect(await rowsRead(budgetTotalsQuery(db, day, "ch_cost:sender-20"))).toEqual({ rows: 2, read: 2 });
    // A sender with nothing spent yet: only the account's row exists.
    expect(await rowsRead(budgetTotalsQuery(db, day, "ch_cost:sender-new"))).toEqual({ rows: 1, read: 1 });
  });

  it("a run's calls are a key range of api_calls' primary key", async () => {
    const query = db
      .select()
      .from(apiCalls)
      .where(and(ofRun("run_cost07")))
      .orderBy(desc(apiCalls.createdAt));
    const found = await rowsRead(query);
    expect(found.rows).toBe(3);
    // D1 counts each key entry and the row it leads to: 2 per call and the range's end, never
    // the 61 calls stored (a scan).
    expect(found.read).toBeLessThanOrEqual(2 * 3 + 1);
    const { sql, params } = query.toSQL();
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .bind(...params)
      .all<{ detail: string }>();
    // api_calls is WITHOUT ROWID: the primary key is the table itself.
    expect(plan.results.map((r) => r.detail).join("\n")).toMatch(/USING PRIMARY KEY \(id>\? AND id<\?\)/);
  });
});
