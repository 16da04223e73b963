/**
 * `loopgate start`: the gateway on this machine, exactly what `npm start` runs
 * (scripts/start.mjs: wrangler dev, local D1 and Durable Objects), with the original daemon's
 * --host/--port/--log-level passed through the environment variables that script reads, and the
 * original daemon's --config: a `loopgate apply` file whose settings become the gateway's
 * environment and whose channels and jobs are applied once it is up (../start-apply.ts).
 */
import { spawn } from "node:child_process";
import { delimiter, resolve } from "node:path";
import { choiceOption, intOption, stringOption } from "../options";
import type { CommandSpec } from "../command";
import { CliError, usageError } from "../errors";
import { readConfigFile } from "../config-file";
import { PROJECT_ROOT } from "../paths";
import { applyOnStart } from "../start-apply";

const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

export const startCommand: CommandSpec = {
  path: ["start"],
  summary: "run the gateway locally (what `npm start` runs)",
  options: {
    host: { type: "string", valueName: "addr", description: "bind address (default 127.0.0.1: reachable from this machine only)" },
    port: { type: "string", short: "p", valueName: "port", description: "listen port (default 8787)" },
    "log-level": { type: "string", valueName: "level", description: "debug, info, warn or error (default info)" },
    "state-dir": { type: "string", valueName: "dir", description: "where local D1 and Durable Object state live (default .wrangler/state)" },
    config: {
      type: "string",
      short: "c",
      valueName: "file",
      description: "apply this file's channels and jobs once the gateway is up, and pass its settings to it (the `loopgate apply` format)",
    },
    token: { type: "string", valueName: "token", description: "API token for applying --config (env LOOPGATE_TOKEN, else the stored login)" },
  },
  details: [
    "The gateway binds to 127.0.0.1 unless told otherwise, so a fresh install is not exposed to the",
    "network before an admin exists. --host 0.0.0.0 listens on every interface: anyone who can reach",
    "this machine can then reach the API and the webhook endpoints.",
    "Port 8787 is wrangler's own default (the earlier daemon used 8080, which other dev servers often hold).",
    "",
    "--config FILE: the file is checked before the gateway starts (errors name the file, line and field).",
    "Its `settings` (e.g. AGENT_MODEL, SENDER_DAILY_COST_LIMIT_USD) become the gateway's environment; its",
    "channels and jobs are applied as `loopgate apply` does, with an admin's login (--token, LOOPGATE_TOKEN or",
    "the stored login). On a fresh gateway it waits for `loopgate setup` in another terminal. See docs/cli.md.",
  ].join("\n"),
  async run(ctx) {
    const { values, env, out } = ctx;
    const port = intOption(values, "port", 1, 65_535);
    const host = stringOption(values, "host");
    if (host !== undefined && !host.trim()) throw usageError("--host must not be empty");
    const logLevel = choiceOption(values, "log-level", LOG_LEVELS);
    const stateDir = stringOption(values, "state-dir");
    const configPath = stringOption(values, "config");
    // Checked before anything starts: a bad file never leaves a half-configured gateway running.
    const file = configPath ? readConfigFile(resolve(configPath), env) : undefined;
    const settings = Object.fromEntries(Object.entries(file?.settings ?? {}).map(([k, v]) => [k, String(v)]));
    if (host && !LOOPBACK.has(host)) out.progress(`loopgate: listening on ${host}: the gateway will be reachable from other machines`);
    const childEnv: NodeJS.ProcessEnv = {
      ...env,
      ...settings,
      // wrangler's launcher is a `#!/usr/bin/env node` script: keep the project's Node 22 first.
      PATH: [resolve(PROJECT_ROOT, "node_modules", ".bin"), env.PATH ?? ""].join(delimiter),
      ...(host ? { HOST: host } : {}),
      ...(port ? { PORT: String(port) } : {}),
      ...(logLevel ? { LOG_LEVEL: logLevel } : {}),
      ...(stateDir ? { LOOPGATE_STATE_DIR: resolve(stateDir) } : {}),
    };
    const child = spawn(process.execPath, [resolve(PROJECT_ROOT, "scripts", "start.mjs")], { cwd: PROJECT_ROOT, env: childEnv, stdio: "inherit" });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    const exited = new Promise<number>((done, failed) => {
      child.on("error", failed);
      child.on("exit", (c, signal) => done(c ?? (signal ? 0 : 1)));
    });
    let applyError: unknown;
    if (configPath) {
      const url = `http://${!host || host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host}:${port ?? 8787}`;
      applyOnStart(ctx, url, resolve(configPath), () => child.exitCode === null && child.signalCode === null).catch((err: unknown) => {
        // A file the gateway refuses stops it: misconfiguration fails fast and loud.
        applyError = err;
        child.kill("SIGTERM");
      });
    }
    const code = await exited;
    process.off("SIGINT", forward);
    process.off("SIGTERM", forward);
    if (applyError) throw applyError;
    if (code !== 0) throw new CliError(`the gateway exited with code ${code}`, "its output above says why");
  },
};
