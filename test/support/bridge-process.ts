/**
 * Runs the bridge as a user does (`npm run bridge`'s entry under tsx) against a gateway,
 * with its own data folder, and lets tests kill it hard (SIGKILL) and start it again.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./gateway-process";

export interface BridgeProcess {
  /** The process id (its own process group), for measuring it. */
  pid: number;
  output: () => string;
  /** Parsed JSON log lines with this `msg`. */
  logs: (msg: string) => Record<string, unknown>[];
  /** SIGKILL: no chance to flush or say goodbye. */
  kill: () => Promise<void>;
  stop: () => Promise<void>;
}

export function startBridge(opts: {
  url: string;
  token: string;
  dataDir: string;
  heartbeatMs?: number;
  env?: Record<string, string>;
  /** The checkout to run from (a snapshot that edits cannot change mid-run); default: this one. */
  root?: string;
}): BridgeProcess {
  let output = "";
  const root = opts.root ?? ROOT;
  const child: ChildProcess = spawn(join(root, "node_modules/.bin/tsx"), ["bridge/src/main.ts"], {
    cwd: root,
    // node_modules/.bin first, as under `npm run bridge`: it holds the Node 22 the bridge needs.
    env: {
      ...process.env,
      PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH ?? ""}`,
      LOOPGATE_URL: opts.url,
      LOOPGATE_BRIDGE_TOKEN: opts.token,
      LOOPGATE_BRIDGE_DATA: opts.dataDir,
      LOOPGATE_BRIDGE_HEARTBEAT_MS: String(opts.heartbeatMs ?? 500),
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
    await exited;
  };
  return {
    pid: child.pid!,
    output: () => output,
    logs: (msg) =>
      output
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => {
          try {
            return JSON.parse(l) as Record<string, unknown>;
          } catch {
            return {};
          }
        })
        .filter((l) => l.msg === msg),
    kill: () => signal("SIGKILL"),
    stop: () => signal("SIGTERM"),
  };
}
