#!/usr/bin/env node
/**
 * Bundles the D1 migrations (migrations/*.sql) into the Worker as src/db/migrations.generated.ts,
 * so `npm start` can have the Worker apply them on its first request instead of running
 * `wrangler d1 migrations apply` as a separate process before every start (seconds of the
 * start-up). Run by wrangler before every dev and deploy build ([build] in wrangler.toml);
 * writes only on change, so it does not retrigger the watcher.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dir = resolve(root, "migrations");
const migrations = readdirSync(dir)
  .filter((name) => name.endsWith(".sql"))
  .sort()
  .map((name) => ({
    name,
    // drizzle-kit separates statements with this marker; hand-written migrations follow it.
    queries: readFileSync(resolve(dir, name), "utf8")
      .split("--> statement-breakpoint")
      .map((q) => q.trim())
      .filter(Boolean),
  }));
const target = resolve(root, "src/db/migrations.generated.ts");
const text = `// Generated from migrations/*.sql by scripts/gen-migrations.mjs; edit the migrations, not this file.\nexport const MIGRATIONS: { name: string; queries: string[] }[] = ${JSON.stringify(migrations, null, 2)};\n`;
if (!existsSync(target) || readFileSync(target, "utf8") !== text) writeFileSync(target, text);
