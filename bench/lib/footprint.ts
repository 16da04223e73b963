/**
 * Static footprint: the Worker bundle as `wrangler deploy --dry-run` builds it (the size it
 * reports for upload, gzip included — works offline), and the dashboard's JavaScript, gzipped.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { baseEnv, source, tempDir, WRANGLER } from "./dev-process";

export interface BundleSize {
  uploadKiB: number;
  gzipKiB: number;
}

/**
 * The gateway's wrangler config serves dashboard/dist as static assets and refuses to build
 * without it: on a fresh clone it does not exist yet, so the bench builds it first (only when
 * missing or stale, as `npm start` does).
 */
export function ensureDashboardBuilt(): void {
  const run = spawnSync(process.execPath, [source("scripts", "build-dashboard.mjs"), "--if-stale"], { cwd: source(), encoding: "utf8" });
  if (run.status !== 0) throw new Error(`building the dashboard failed:\n${run.stdout}${run.stderr}`);
}

export function workerBundleSize(config: string): BundleSize {
  const outdir = tempDir("loopgate-bench-bundle-");
  const run = spawnSync(WRANGLER, ["deploy", "--dry-run", "--outdir", outdir, "-c", source(config)], {
    cwd: source(),
    env: baseEnv({}) as NodeJS.ProcessEnv,
    encoding: "utf8",
  });
  const text = `${run.stdout}${run.stderr}`;
  const match = /Total Upload:\s*([\d.]+)\s*KiB\s*\/\s*gzip:\s*([\d.]+)\s*KiB/.exec(text);
  if (run.status !== 0 || !match) throw new Error(`wrangler deploy --dry-run failed for ${config}:\n${text}`);
  return { uploadKiB: Number(match[1]), gzipKiB: Number(match[2]) };
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return jsFiles(path);
    return /\.m?js$/.test(e.name) ? [path] : [];
  });
}

/** Gzipped size of every .js file in dashboard/dist, or null when the dashboard is not built. */
export function dashboardJsGzipKiB(): number | null {
  const dist = source("dashboard", "dist");
  if (!existsSync(dist)) return null;
  const files = jsFiles(dist);
  if (files.length === 0) return null;
  const bytes = files.reduce((n, f) => n + gzipSync(readFileSync(f), { level: 9 }).length, 0);
  return Math.round((bytes / 1024) * 10) / 10;
}
