/**
 * Starts the processes under test as a user would — the gateway with `node scripts/start.mjs`
 * (what `npm start` runs), the floor with `wrangler dev --config bench/floor/wrangler.toml` —
 * each in its own process group, so the whole tree (node, wrangler, workerd) can be measured
 * and stopped together.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
export const WRANGLER = join(ROOT, "node_modules", ".bin", "wrangler");

let sourceRoot = ROOT;
/** Where the processes under test run from: the project, or a snapshot of it (see snapshot.ts). */
export function runFrom(dir: string): void {
  sourceRoot = dir;
}
export function source(...parts: string[]): string {
  return join(sourceRoot, ...parts);
}
const OUTPUT_KEPT_CHARS = 64 * 1024;

export interface DevProcess {
  pid: number;
  url: string;
  /** performance.now() at spawn. */
  spawnedAt: number;
  /** performance.now() when the readiness probe first succeeded. */
  readyAt: number;
  /** The last 64 KiB the process printed. */
  output: () => string;
  stop: () => Promise<void>;
}

export interface SpawnOptions {
  command: string;
  args: string[];
  env: Record<string, string | undefined>;
  port: number;
  /** True once the process answers; called every 200 ms. */
  ready: (url: string) => Promise<boolean>;
  readyTimeoutMs?: number;
}

const madeDirs: string[] = [];

/** A fresh directory under the system temp dir, removed by `removeTempDirs`. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of madeDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export async function spawnDev(options: SpawnOptions): Promise<DevProcess> {
  const spawnedAt = performance.now();
  const child = spawn(options.command, options.args, {
    cwd: sourceRoot,
    env: options.env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT_CHARS);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const pid = child.pid as number;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    signal("SIGTERM");
    const timer = setTimeout(() => signal("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  for (;;) {
    if (await options.ready(url).catch(() => false)) return { pid, url, spawnedAt, readyAt: performance.now(), output: () => output, stop };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`${options.command} ${options.args.join(" ")} did not become ready on port ${options.port}\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The environment without a model key, so the gateway uses its offline echo model unless told otherwise. */
export function baseEnv(extra: Record<string, string>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, CI: "true" };
  delete env.ANTHROPIC_API_KEY;
  delete env.ANTHROPIC_BASE_URL;
  return { ...env, ...extra };
}
