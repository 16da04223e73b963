#!/usr/bin/env node
/**
 * Builds the dashboard into dashboard/dist (`npm run build:dashboard`). With `--if-stale` it
 * builds only when dist is missing or older than a source file, which is how `npm start` and
 * `npm test` get a fresh dashboard without paying for a build on every start. Several gateways
 * may start at once (parallel tests), so a build takes a lock and swaps the new dist in whole.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dashboard = join(root, "dashboard");
const dist = join(dashboard, "dist");
const lock = join(dashboard, ".build-lock");
const LOCK_STALE_MS = 120_000;
const INPUTS = ["index.html", "vite.config.ts", "src", "public"].map((p) => join(dashboard, p));

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

function isStale() {
  const built = join(dist, "index.html");
  return !existsSync(built) || statSync(built).mtimeMs < Math.max(...INPUTS.map(newestMtime));
}

async function acquireLock() {
  for (;;) {
    try {
      mkdirSync(lock);
      return;
    } catch {
      // Another build is running; a lock left by a killed build expires.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

function build() {
  const out = join(dashboard, `.dist-${process.pid}`);
  const vite = join(root, "node_modules", ".bin", "vite");
  const result = spawnSync(vite, ["build", "--config", join(dashboard, "vite.config.ts"), "--logLevel", "warn"], {
    cwd: dashboard,
    stdio: "inherit",
    env: { ...process.env, DASHBOARD_OUT_DIR: out },
  });
  if (result.status !== 0) {
    rmSync(out, { recursive: true, force: true });
    throw new Error("dashboard build failed");
  }
  const old = join(dashboard, `.dist-old-${process.pid}`);
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(out, dist);
  rmSync(old, { recursive: true, force: true });
}

const ifStale = process.argv.includes("--if-stale");
if (!ifStale || isStale()) {
  await acquireLock();
  try {
    // Whoever held the lock may just have built the same sources.
    if (!ifStale || isStale()) {
      const started = Date.now();
      build();
      console.log(`dashboard built in ${Date.now() - started} ms → dashboard/dist`);
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
