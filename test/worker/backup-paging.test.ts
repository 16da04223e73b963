/**
 * GET /api/backup/tables/:table pages every row exactly once: by rowid for ordinary tables, by
 * primary key for the WITHOUT ROWID record tables (migrations/0005_keyed_record_tables.sql),
 * whose pages carry the last key as an opaque cursor. A cursor that is not one of the table's
 * is a 400, not a 500.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { adminToken, call } from "./helpers";

let token: string;

interface Page {
  columns: string[];
  rows: (string | number | null)[][];
  nextAfter: string | null;
}

interface Manifest {
  tables: { name: string; key: string[] | null; rows: number }[];
}

/** Every row of a table through the API, two at a time. */
async function exportAll(table: string): Promise<Page["rows"]> {
  const rows: Page["rows"] = [];
  let after = "0";
  for (let pages = 0; pages < 100; pages++) {
    const res = await call<Page>("GET", `/api/backup/tables/${table}?limit=2&after=${encodeURIComponent(after)}`, undefined, token);
    expect(res.status).toBe(200);
    rows.push(...res.body.rows);
    if (res.body.nextAfter === null) return rows;
    after = res.body.nextAfter;
  }
  throw new Error("paging did not end");
}

beforeAll(async () => {
  token = await adminToken();
  // Five sessions whose keys sort differently from the order they were written in.
  const keys = ["ch_bp:e", "ch_bp:a", "ch_bp:d", "ch_bp:b", "ch_bp:c"];
  await env.DB.batch(
    keys.map((id, i) =>
      env.DB.prepare(
        "INSERT INTO sessions (id, channel_id, sender_id, status, message_count, created_at, last_activity_at) VALUES (?, 'ch_bp', ?, 'active', 1, ?, ?)",
      ).bind(id, id.slice(6), 1000 + i, 1000 + i),
    ),
  );
});

// Each page is a request through the Worker: on a loaded machine a test of a dozen pages outlasts the default 5 s.
describe("backup paging", { timeout: 60_000 }, () => {
  it("names the primary key of the tables paged by it, and none for rowid tables", async () => {
    const res = await call<Manifest>("GET", "/api/backup", undefined, token);
    expect(res.status).toBe(200);
    const key = (name: string) => res.body.tables.find((t) => t.name === name)?.key;
    expect(key("sessions")).toEqual(["id"]);
    expect(key("events")).toEqual(["id"]);
    expect(key("spend_daily")).toEqual(["day", "scope"]);
    expect(key("channels")).toEqual(["id"]);
    expect(key("users")).toBeNull();
    expect(key("jobs")).toBeNull();
  });

  it("pages a WITHOUT ROWID table in key order, each row once", async () => {
    const rows = await exportAll("sessions");
    const ids = rows.map((r) => r[0]).filter((id) => String(id).startsWith("ch_bp:"));
    expect(ids).toEqual(["ch_bp:a", "ch_bp:b", "ch_bp:c", "ch_bp:d", "ch_bp:e"]);
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM sessions").first<{ n: number }>();
    expect(rows).toHaveLength(count!.n);
  });

  it("pages a composite key", async () => {
    await env.DB.batch(
      [1, 2, 3].flatMap((day) =>
        ["account", "ch_bp:a"].map((scope) => env.DB.prepare("INSERT INTO spend_daily (day, scope, tokens) VALUES (?, ?, 1)").bind(day, scope)),
      ),
    );
    const rows = await exportAll("spend_daily");
    const mine = rows.filter((r) => [1, 2, 3].includes(Number(r[0]))).map((r) => `${r[0]}/${r[1]}`);
    expect(mine).toEqual(["1/account", "1/ch_bp:a", "2/account", "2/ch_bp:a", "3/account", "3/ch_bp:a"]);
  });

  it("still pages rowid tables by rowid", async () => {
    const res = await call<Page>("GET", "/api/backup/tables/users?limit=1&after=0", undefined, token);
    expect(res.status).toBe(200);
    expect(res.body.rows).toHaveLength(1);
    expect(res.body.nextAfter === null || /^\d+$/.test(res.body.nextAfter)).toBe(true);
  });

  it("refuses a cursor that is not the table's", async () => {
    for (const [table, after] of [
      ["sessions", "not json"],
      ["sessions", '["a","b"]'],
      ["sessions", '[{"x":1}]'],
      ["users", '["a"]'],
    ] as const) {
      const res = await call<{ error: string }>("GET", `/api/backup/tables/${table}?after=${encodeURIComponent(after)}`, undefined, token);
      expect(res.status, `${table} ${after}`).toBe(400);
    }
  });
});
