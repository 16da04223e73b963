/**
 * Runs the `loopgate` CLI as a user does (`bin/loopgate.mjs`, a subprocess) with its own
 * config directory and environment, and captures what it prints and its exit code.
 */
import { type ChildProcessByStdio, spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { join } from "node:path";
import { expect } from "vitest";
import { ROOT } from "./gateway-process";

export const CLI_BIN = join(ROOT, "bin", "loopgate.mjs");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunner {
  /** Runs one command to its end; never throws on a non-zero exit. */
  cli(args: string[], options?: { input?: string; env?: Record<string, string> }): Promise<CliResult>;
  /** Runs with --json, expects exit 0 and returns the parsed stdout (failing the test if it does not parse). */
  cliJson<T = Record<string, unknown>>(args: string[], env?: Record<string, string>): Promise<T>;
  /**
   * Starts a long-running command (`logs --follow`, `start`) and hands back the process for the
   * caller to read and stop; `detached` puts it in its own process group, so the caller can end
   * whatever it spawned in turn.
   */
  start(args: string[], options?: { env?: Record<string, string>; detached?: boolean }): ChildProcessByStdio<null, Readable, Readable>;
}

/**
 * `env` is the base environment of every run (e.g. LOOPGATE_URL and LOOPGATE_TOKEN); the caller's
 * own LOOPGATE_* variables are dropped so a developer's shell cannot leak into the test.
 */
export function cliRunner(configHome: string, env: Record<string, string> = {}): CliRunner {
  const baseEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
    const merged: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: configHome };
    delete merged.LOOPGATE_URL;
    delete merged.LOOPGATE_TOKEN;
    return { ...merged, ...env, ...extra };
  };
  const cli: CliRunner["cli"] = (args, options = {}) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd: ROOT, env: baseEnv(options.env), stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(options.input ?? "");
    return new Promise((done) => child.on("close", (code) => done({ code: code ?? -1, stdout, stderr })));
  };
  return {
    cli,
    start: (args, options = {}) =>
      spawn(process.execPath, [CLI_BIN, ...args], {
        cwd: ROOT,
        env: baseEnv(options.env),
        stdio: ["ignore", "pipe", "pipe"],
        detached: options.detached ?? false,
      }),
    async cliJson<T>(args: string[], extra?: Record<string, string>): Promise<T> {
      const r = await cli([...args, "--json"], { env: extra });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return JSON.parse(r.stdout) as T;
    },
  };
}
