/** The Worker's own migration step (npm start) keeps wrangler's ledger: what one applied, the other skips. */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { applyLocalMigrations, LOCAL_MIGRATIONS_VAR } from "./local-migrations";
import { MIGRATIONS } from "./migrations.generated";

/** The migration these tests take out of the ledger and apply again: the spend counters, whose backfill shows it ran. */
const SPEND = MIGRATIONS.find((m) => m.name.includes("spend_counters"))!;
const applied = async () => (await env.DB.prepare("SELECT name FROM d1_migrations ORDER BY id").all<{ name: string }>()).results.map((r) => r.name);

describe("local migrations", () => {
  it("does nothing unless npm start asked for it", async () => {
    await env.DB.prepare("DELETE FROM d1_migrations WHERE name = ?").bind(SPEND.name).run();
    await applyLocalMigrations({}, env.DB);
    expect(await applied()).not.toContain(SPEND.name);
  });

  it("applies what wrangler's ledger lacks, once, and records it there", async () => {
    // The spend counters migration is missing from the ledger (previous test); its tables and triggers exist, so drop them first.
    await env.DB.batch([
      env.DB.prepare("DROP TRIGGER api_calls_spend"),
      env.DB.prepare("DROP TRIGGER api_calls_spend_delete"),
      env.DB.prepare("DROP TRIGGER api_calls_spend_update"),
      env.DB.prepare("DROP TABLE spend_daily"),
    ]);
    await env.DB.prepare(
      "INSERT INTO api_calls (id, created_at, channel_id, sender_id, session_id, run_id, purpose, mode, model, status, cost_usd) VALUES ('c1', ?, 'ch', 's', 'ch:s', 'r', 'turn', 'direct', 'm', 'ok', 0.25)",
    )
      .bind(Date.now())
      .run();
    const settings = { [LOCAL_MIGRATIONS_VAR]: "1" };
    await Promise.all([applyLocalMigrations(settings, env.DB), applyLocalMigrations(settings, env.DB)]);
    expect((await applied()).sort()).toEqual(MIGRATIONS.map((m) => m.name).sort());
    // The counters migration backfilled the call recorded before it.
    const account = await env.DB.prepare("SELECT cost_usd AS cost FROM spend_daily WHERE scope = 'account'").first<{ cost: number }>();
    expect(account?.cost).toBeCloseTo(0.25, 9);
  });
});
