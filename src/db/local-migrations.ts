/**
 * `npm start` only: the Worker applies pending D1 migrations itself, once per isolate, before
 * its first request is served, instead of start.mjs running `wrangler d1 migrations apply`
 * (a second wrangler process and seconds of every start). It keeps wrangler's own ledger
 * (`d1_migrations`, same table and names), so either way of applying sees what the other did.
 * Deployed Workers never do this: there migrations are applied with wrangler, as before.
 */
import { MIGRATIONS } from "./migrations.generated";

/** The variable start.mjs sets to ask for it. */
export const LOCAL_MIGRATIONS_VAR = "LOOPGATE_LOCAL_MIGRATIONS";

/**
 * A build-time constant (`[define]` in wrangler.toml: false; start.mjs passes `--define
 * LOOPGATE_BUNDLED_MIGRATIONS:true` to wrangler dev). When it is false the bundler drops the
 * migrations' SQL from the Worker, which deployed Workers never use (2 KiB gzip). The worker
 * tests define it true (vitest.config.ts); a build that does not define it keeps them.
 */
declare const LOOPGATE_BUNDLED_MIGRATIONS: boolean | undefined;

function bundledMigrations(): typeof MIGRATIONS | null {
  // Written so that esbuild folds it to a constant and, when false, drops the import.
  return typeof LOOPGATE_BUNDLED_MIGRATIONS === "boolean" && !LOOPGATE_BUNDLED_MIGRATIONS ? null : MIGRATIONS;
}

let applying: Promise<void> | null = null;

export function applyLocalMigrations(env: object, db: D1Database): Promise<void> {
  if ((env as Record<string, unknown>)[LOCAL_MIGRATIONS_VAR] !== "1") return Promise.resolve();
  applying ??= apply(db).catch((err: unknown) => {
    applying = null; // the next request tries again
    throw err;
  });
  return applying;
}

async function apply(db: D1Database): Promise<void> {
  const migrations = bundledMigrations();
  if (!migrations) throw new Error(`${LOCAL_MIGRATIONS_VAR} is set but this build left the migrations out: start it with npm start`);
  await db
    .prepare(
      "CREATE TABLE IF NOT EXISTS d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)",
    )
    .run();
  const done = new Set((await db.prepare("SELECT name FROM d1_migrations").all<{ name: string }>()).results.map((r) => r.name));
  for (const m of migrations) {
    if (done.has(m.name)) continue;
    // One batch is one transaction: a migration is applied whole or not at all.
    await db.batch([...m.queries.map((q) => db.prepare(q)), db.prepare("INSERT INTO d1_migrations (name) VALUES (?)").bind(m.name)]);
    console.log(JSON.stringify({ msg: "applied D1 migration", name: m.name }));
  }
}
