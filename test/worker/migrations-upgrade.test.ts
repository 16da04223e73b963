/**
 * A deployed gateway upgrades: its D1 applied the migrations of the previous release, holds
 * data, and receives this release's migrations on `wrangler d1 migrations apply`. The data must
 * read back through today's schema. Migrations that have shipped are never edited (their text
 * is pinned here), because D1 would not re-apply an edited file.
 */
import { applyD1Migrations, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { openDb } from "../../src/db/client";
import { apiCalls, channels, events, jobs, messages, runs, senders, sessions, users } from "../../src/db/schema";

/** Migrations shipped by earlier releases, with the SHA-256 of their statements. */
const SHIPPED_SHA256: Record<string, string> = {
  "0000_init.sql": "40caceab49f30b39b9624688061c9ebb5ad857b877e6d83810ec36151f9b65b2",
};
/** What the previous release (0.1.0) had applied. */
const PREVIOUS_RELEASE = ["0000_init.sql"];

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const T = 1_790_000_000_000;

/** Rows as the previous release wrote them: its columns only (raw SQL, not today's schema). */
const OLD_ROWS = [
  "INSERT INTO users (username, password_hash, created_at) VALUES ('admin', 'pbkdf2$x', 1790000000000)",
  "INSERT INTO channels (id, type, name, policy, config, status, created_at, updated_at) VALUES ('ch_old', 'telegram', 'Family', 'pairing', '{\"botToken\":\"sealed\"}', 'ok', 1790000000000, 1790000000000)",
  "INSERT INTO senders (id, channel_id, sender_id, name, status, paired_at, created_at) VALUES ('ch_old:42', 'ch_old', '42', 'Uma', 'paired', 1790000000000, 1790000000000)",
  "INSERT INTO sessions (id, channel_id, sender_id, sender_name, status, message_count, created_at, last_activity_at) VALUES ('ch_old:42', 'ch_old', '42', 'Uma', 'active', 2, 1790000000000, 1790000000000)",
  "INSERT INTO messages (id, channel_id, sender_id, direction, platform_message_id, text, outcome, run_id, created_at) VALUES ('msg_old', 'ch_old', '42', 'in', '42:7', 'hello from before', 'accepted', 'run_old', 1790000000000)",
  "INSERT INTO runs (id, channel_id, sender_id, session_id, message_id, status, model, input_tokens, output_tokens, cost_usd, latency_ms, delivery_status, created_at) VALUES ('run_old', 'ch_old', '42', 'ch_old:42', 'msg_old', 'ok', 'claude-x', 10, 5, 0.001, 900, 'sent', 1790000000000)",
  "INSERT INTO events (id, at, kind, channel_id, sender_id, detail) VALUES ('evt_old', 1790000000000, 'message.accepted', 'ch_old', '42', '{}')",
  "INSERT INTO jobs (id, name, cron, timezone, steps, status, created_at, updated_at) VALUES ('job_old', 'Morning', '0 7 * * *', 'UTC', '[{\"prompt\":\"weather\"}]', 'active', 1790000000000, 1790000000000)",
  "INSERT INTO api_calls (id, created_at, channel_id, sender_id, session_id, run_id, purpose, mode, model, status) VALUES ('call_old', 1790000000000, 'ch_old', '42', 'ch_old:42', 'run_old', 'turn', 'direct', 'claude-x', 'ok')",
];

describe("D1 schema upgrades", () => {
  it("keeps shipped migrations as they shipped", async () => {
    for (const [name, hash] of Object.entries(SHIPPED_SHA256)) {
      const migration = env.TEST_MIGRATIONS.find((m) => m.name === name);
      expect(migration, `${name} was removed or renamed`).toBeDefined();
      expect(await sha256(migration!.queries.join("\n")), `${name} was edited after it shipped`).toBe(hash);
    }
  });

  it("applies this release's migrations over the previous release's data and reads it back", async () => {
    const db = env.UPGRADE_DB;
    await applyD1Migrations(
      db,
      env.TEST_MIGRATIONS.filter((m) => PREVIOUS_RELEASE.includes(m.name)),
    );
    await db.batch(OLD_ROWS.map((sql) => db.prepare(sql)));
    await applyD1Migrations(db, env.TEST_MIGRATIONS);

    const d = openDb(db);
    expect(await d.select().from(users).all()).toMatchObject([{ username: "admin", passwordHash: "pbkdf2$x" }]);
    expect(await d.select().from(channels).all()).toMatchObject([{ id: "ch_old", type: "telegram", name: "Family", policy: "pairing", status: "ok" }]);
    expect(await d.select().from(senders).all()).toMatchObject([{ channelId: "ch_old", senderId: "42", name: "Uma", status: "paired" }]);
    expect(await d.select().from(sessions).all()).toMatchObject([{ id: "ch_old:42", messageCount: 2 }]);
    expect(await d.select().from(messages).all()).toMatchObject([{ id: "msg_old", text: "hello from before", runId: "run_old" }]);
    expect(await d.select().from(runs).all()).toMatchObject([{ id: "run_old", inputTokens: 10, outputTokens: 5, deliveryStatus: "sent" }]);
    expect(await d.select().from(events).all()).toMatchObject([{ id: "evt_old", kind: "message.accepted", at: T }]);
    expect(await d.select().from(jobs).all()).toMatchObject([{ id: "job_old", cron: "0 7 * * *", status: "active" }]);
    expect(await d.select().from(apiCalls).all()).toMatchObject([{ id: "call_old", runId: "run_old", model: "claude-x" }]);
  });
});
