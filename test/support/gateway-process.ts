/**
 * Starts the gateway as a user does (`npm start`) on its own port and state directory, and
 * gives tests an admin API client. Used by every end-to-end test.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");

export interface GatewayProcess {
  url: string;
  port: number;
  stateDir: string;
  /** Everything the process printed so far. */
  output: () => string;
  setupToken: string;
  /** Stops the process (SIGTERM, then SIGKILL) and waits for it to exit. */
  stop: () => Promise<void>;
  /** SIGKILL to the whole tree (node, wrangler, workerd) at once: a crash, no chance to finish anything. */
  kill: () => Promise<void>;
}

export interface StartOptions {
  port: number;
  /** Reuse a state directory (restart tests); default: a fresh temporary one. */
  stateDir?: string;
  env?: Record<string, string>;
  /** The checkout to run `npm start` in (a scratch copy with its own node_modules); default: this one. */
  root?: string;
  /**
   * Start as a new user does, without LOOPGATE_SETUP_TOKEN: npm start makes one up and prints
   * the link to create the first admin; `setupToken` is then read from what it printed.
   */
  printedSetupToken?: boolean;
}

/** The `Open http://…/#setup=…` link npm start prints when it made the setup token up (ANSI colours aside). */
export function printedSetupLink(output: string): string | undefined {
  return /Open (\S+#setup=\S+)/.exec(output.replace(/\u001b\[[0-9;]*m/g, ""))?.[1];
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function startGateway(options: StartOptions): Promise<GatewayProcess> {
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), "loopgate-e2e-"));
  let setupToken = options.env?.LOOPGATE_SETUP_TOKEN ?? `setup-${options.port}-${Date.now()}`;
  const { LOOPGATE_SETUP_TOKEN: _inherited, ...inherited } = process.env;
  const tokenEnv = options.printedSetupToken ? {} : { LOOPGATE_SETUP_TOKEN: setupToken };
  let output = "";
  const child: ChildProcess = spawn("npm", ["start"], {
    cwd: options.root ?? ROOT,
    env: { ...inherited, PORT: String(options.port), LOOPGATE_STATE_DIR: stateDir, ...tokenEnv, CI: "true", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  const url = `http://127.0.0.1:${options.port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  };
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
    await exited;
  };
  try {
    await waitFor(async () => (await fetch(`${url}/api/health`)).ok, 90_000, `gateway on port ${options.port}\n${output}`);
    if (options.printedSetupToken) {
      await waitFor(async () => printedSetupLink(output) !== undefined, 30_000, `the printed setup link\n${output}`);
      setupToken = new URL(printedSetupLink(output)!).hash.slice("#setup=".length);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port: options.port, stateDir, output: () => output, setupToken, stop, kill };
}

export function removeState(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A small admin API client: JSON in, `{status, body}` out, never throws on HTTP errors. */
export function apiClient(url: string, token?: string) {
  return async function api<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; headers: Headers }> {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  };
}

/** Creates the first admin with the process's setup token and returns a logged-in client. */
export async function setupAdmin(gw: GatewayProcess, username = "admin", password = "correct horse battery staple") {
  const anon = apiClient(gw.url);
  const setup = await anon<{ token: string }>("POST", "/api/auth/setup", { username, password, setupToken: gw.setupToken });
  if (setup.status !== 201) throw new Error(`setup failed: ${setup.status} ${JSON.stringify(setup.body)}`);
  return { token: setup.body.token, api: apiClient(gw.url, setup.body.token) };
}

export { waitFor };
