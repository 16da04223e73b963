#!/usr/bin/env node
/**
 * `npm start`: runs the gateway locally the way it runs on Cloudflare — wrangler dev with the
 * Worker, its Durable Objects, a local D1 (migrations applied by the Worker before its first
 * request) and the Cron heartbeat.
 * Configuration: the process environment wins over `.dev.vars`; a master key is generated once
 * and kept in the state directory, and a setup token is printed when none is configured.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.PORT ?? 8787);
const host = process.env.HOST ?? "127.0.0.1";
const stateDir = resolve(root, process.env.LOOPGATE_STATE_DIR ?? ".wrangler/state");
const logLevel = process.env.LOG_LEVEL ?? "info";

/**
 * Every setting the Worker reads, as .dev.vars.example documents them (one list to keep, not
 * two); only these pass from the process environment.
 */
const SETTINGS = Object.keys(parseDotenv(readFileSync(join(root, ".dev.vars.example"), "utf8")));

function parseDotenv(text) {
  const out = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]] = m[2].replace(/^(['"])(.*)\1$/, "$2");
  }
  return out;
}

function quote(value) {
  return JSON.stringify(String(value));
}

mkdirSync(stateDir, { recursive: true });
const devVarsPath = join(root, ".dev.vars");
const vars = existsSync(devVarsPath) ? parseDotenv(readFileSync(devVarsPath, "utf8")) : {};
for (const key of SETTINGS) if (process.env[key]) vars[key] = process.env[key];

// The local master key must survive restarts, or stored channel secrets could not be opened.
const keyFile = join(stateDir, "loopgate-master-key");
if (!vars.LOOPGATE_MASTER_KEY) {
  if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32).toString("base64url"), { mode: 0o600 });
  vars.LOOPGATE_MASTER_KEY = readFileSync(keyFile, "utf8").trim();
}
const generatedSetupToken = !vars.LOOPGATE_SETUP_TOKEN;
if (generatedSetupToken) vars.LOOPGATE_SETUP_TOKEN = randomBytes(18).toString("base64url");
vars.PUBLIC_URL ??= `http://localhost:${port}`;
// wrangler dev passes a client's CF-Connecting-IP through untouched: only Cloudflare's edge makes it trustworthy.
vars.TRUST_CF_CONNECTING_IP ||= "false";
// The Worker applies pending D1 migrations on its first request (src/db/local-migrations.ts),
// keeping wrangler's ledger: no separate `wrangler d1 migrations apply` process on every start.
vars.LOOPGATE_LOCAL_MIGRATIONS = "1";

const envFile = join(stateDir, "loopgate.env");
writeFileSync(
  envFile,
  Object.entries(vars)
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join("\n") + "\n",
  { mode: 0o600 },
);
chmodSync(envFile, 0o600);

const wrangler = join(root, "node_modules", ".bin", "wrangler");

/**
 * The fault suite's build (docs/reliability.md): LOOPGATE_TEST_FAULTS=1 compiles in the D1 fault
 * hook and its /api/__faults control route. Only ever on a loopback address; `wrangler deploy` has
 * no such switch, so a deployed gateway cannot have it.
 */
const faultBuild = process.env.LOOPGATE_TEST_FAULTS === "1";
if (faultBuild && !["127.0.0.1", "localhost", "::1"].includes(host)) {
  console.error("loopgate: LOOPGATE_TEST_FAULTS is for the fault suite on a loopback address only");
  process.exit(1);
}
if (faultBuild) console.warn("loopgate: fault-injection build (LOOPGATE_TEST_FAULTS=1): for tests only");

// wrangler serves the dashboard from dashboard/dist: rebuild it when its sources changed.
const dashboardBuild = spawnSync(process.execPath, [join(root, "scripts", "build-dashboard.mjs"), "--if-stale"], {
  cwd: root,
  stdio: ["ignore", "inherit", "inherit"],
});
if (dashboardBuild.status !== 0) {
  console.error("loopgate: building the dashboard failed");
  process.exit(1);
}

const child = spawn(
  wrangler,
  [
    "dev",
    "--port",
    String(port),
    "--ip",
    host,
    "--persist-to",
    stateDir,
    "--env-file",
    envFile,
    "--show-interactive-dev-session=false",
    "--log-level",
    logLevel,
    // The Worker applies the migrations itself (above): bundle their SQL, which deployed builds leave out.
    "--define",
    "LOOPGATE_BUNDLED_MIGRATIONS:true",
    ...(faultBuild ? ["--define", "LOOPGATE_FAULT_HOOK:true"] : []),
    // The soak reads the Worker's own heap through the DevTools protocol (bench/lib/worker-heap.ts).
    ...(process.env.LOOPGATE_INSPECTOR_PORT ? ["--inspector-port", process.env.LOOPGATE_INSPECTOR_PORT] : []),
  ],
  { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: process.env },
);
child.stdout.pipe(process.stdout);
child.stderr.pipe(process.stderr);

async function announceWhenReady() {
  const url = `http://localhost:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) {
        const lines = [`\nLoopgate is running at ${url}  (dashboard and API)`];
        if (generatedSetupToken)
          lines.push(`Setup token (needed once, to create the first admin): ${vars.LOOPGATE_SETUP_TOKEN}`, `Open ${url}/#setup=${vars.LOOPGATE_SETUP_TOKEN}`);
        console.log(lines.join("\n") + "\n");
        startHeartbeat(url);
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
/**
 * Cron Triggers do not fire by themselves under wrangler dev, so the local gateway gets its
 * heartbeat from here: once a minute, on the minute, as on Cloudflare.
 */
function startHeartbeat(url) {
  const beat = async () => {
    const time = Math.floor(Date.now() / 60_000) * 60_000;
    await fetch(`${url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("* * * * *")}&time=${time}`).catch(() => {});
  };
  const untilNextMinute = 60_000 - (Date.now() % 60_000);
  setTimeout(() => {
    void beat();
    setInterval(beat, 60_000).unref();
  }, untilNextMinute).unref();
}

void announceWhenReady();

for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
