/**
 * The two systems under test, started and made ready to take signed webhooks:
 * the gateway (`node scripts/start.mjs`, an admin created through the API, one generic
 * `webhook` channel with policy "open" and a high rate limit) and the floor Worker.
 * Each reports when it first answered a message, counted from its spawn.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { baseEnv, type DevProcess, source, spawnDev, tempDir, WRANGLER } from "./dev-process";
import { postWithRetries } from "./load";
import { preloadD1, type Preload } from "./preload";
import type { ReplySink } from "./reply-sink";

export interface Target {
  name: string;
  dev: DevProcess;
  hookUrl: string;
  secret: string;
  /** Spawn to the first reply delivered (includes creating the admin and the channel for the gateway). */
  firstAnsweredMs: number;
  /** The gateway's admin API token (none for the floor). */
  adminToken?: string;
}

/** Per-sender limit the bench's channel allows: the load must never be rate-limited. */
export const BENCH_RATE_LIMIT_PER_MINUTE = 10_000;

async function firstAnswer(target: Omit<Target, "firstAnsweredMs">, sink: ReplySink): Promise<number> {
  const id = `first-${randomBytes(6).toString("hex")}`;
  const reply = sink.waitForReply(id, 60_000);
  const body = JSON.stringify({ messageId: id, sender: { id: "first-sender" }, text: "hello" });
  if ((await postWithRetries(target.hookUrl, target.secret, body, () => undefined)) === null)
    throw new Error(`${target.name}: the first message was not acknowledged\n${target.dev.output()}`);
  const answered = await reply;
  if (!answered) throw new Error(`${target.name}: no reply to the first message\n${target.dev.output()}`);
  return answered.at - target.dev.spawnedAt;
}

async function json<T>(res: Response, what: string): Promise<T> {
  const body = await res.text();
  if (!res.ok) throw new Error(`${what}: ${res.status} ${body}`);
  return JSON.parse(body) as T;
}

export interface GatewayOptions {
  port: number;
  sink: ReplySink;
  /** Extra environment (the model settings). */
  env?: Record<string, string>;
  /** A wrangler config other than the project's (the storage phase's instrumented copy). */
  config?: string;
  /** History loaded into D1 before start (only with `config`): the "flat as data grows" phase. */
  preload?: Preload;
}

async function spawnGateway(options: GatewayOptions, setupToken: string): Promise<DevProcess> {
  const stateDir = tempDir("loopgate-bench-gateway-");
  const settings = {
    LOOPGATE_SETUP_TOKEN: setupToken,
    RATE_LIMIT_PER_MINUTE: String(BENCH_RATE_LIMIT_PER_MINUTE),
    API_RATE_LIMIT_PER_MINUTE: "100000",
    ...options.env,
  };
  const ready = async (url: string) => (await fetch(`${url}/api/health`)).ok;
  if (!options.config) {
    return spawnDev({
      command: process.execPath,
      args: [source("scripts", "start.mjs")],
      env: baseEnv({ PORT: String(options.port), LOOPGATE_STATE_DIR: stateDir, ...settings }),
      port: options.port,
      ready,
    });
  }
  // The instrumented copy runs under wrangler directly, with the settings start.mjs would pass.
  const migrate = spawnSync(WRANGLER, ["d1", "migrations", "apply", "loopgate", "--local", "--persist-to", stateDir, "-c", options.config], {
    cwd: source(),
    env: baseEnv({}) as NodeJS.ProcessEnv,
    encoding: "utf8",
  });
  if (migrate.status !== 0) throw new Error(`migrations failed: ${migrate.stdout}${migrate.stderr}`);
  if (options.preload) preloadD1(options.config, stateDir, options.preload);
  const vars = { ...settings, LOOPGATE_MASTER_KEY: randomBytes(32).toString("base64url"), PUBLIC_URL: `http://127.0.0.1:${options.port}` };
  const args = [
    "dev",
    "-c",
    options.config,
    "--port",
    String(options.port),
    "--ip",
    "127.0.0.1",
    "--persist-to",
    stateDir,
    "--show-interactive-dev-session=false",
    ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ];
  return spawnDev({ command: WRANGLER, args, env: baseEnv({}), port: options.port, ready });
}

export async function startGatewayTarget(options: GatewayOptions): Promise<Target> {
  const setupToken = randomBytes(18).toString("base64url");
  const dev = await spawnGateway(options, setupToken);
  try {
    const setup = await json<{ token: string }>(
      await fetch(`${dev.url}/api/auth/setup`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "bench", password: randomBytes(18).toString("base64url"), setupToken }),
      }),
      "creating the admin",
    );
    const secret = randomBytes(24).toString("base64url");
    const created = await json<{ channel: { id: string; inboundUrl: string } }>(
      await fetch(`${dev.url}/api/channels`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${setup.token}` },
        body: JSON.stringify({
          type: "webhook",
          name: "bench",
          policy: "open",
          rateLimitPerMinute: BENCH_RATE_LIMIT_PER_MINUTE,
          config: { secret, callbackUrl: options.sink.route(`/gateway-${options.port}`, secret) },
        }),
      }),
      "creating the webhook channel",
    );
    const target = { name: "gateway", dev, hookUrl: `${dev.url}/hooks/${created.channel.id}`, secret, adminToken: setup.token };
    return { ...target, firstAnsweredMs: await firstAnswer(target, options.sink) };
  } catch (err) {
    await dev.stop();
    throw err;
  }
}

export async function startFloorTarget(options: { port: number; sink: ReplySink; config?: string }): Promise<Target> {
  const secret = randomBytes(24).toString("base64url");
  const callback = options.sink.route(`/floor-${options.port}`, secret);
  const args = [
    "dev",
    "-c",
    options.config ?? source("bench", "floor", "wrangler.toml"),
    "--port",
    String(options.port),
    "--ip",
    "127.0.0.1",
    "--persist-to",
    tempDir("loopgate-bench-floor-"),
    "--show-interactive-dev-session=false",
    "--var",
    `FLOOR_SECRET:${secret}`,
    "--var",
    `FLOOR_CALLBACK_URL:${callback}`,
  ];
  // Any HTTP answer means it is up; an unsigned POST is refused with 401.
  const ready = async (url: string) => (await fetch(`${url}/hooks/floor`, { method: "POST", body: "{}" })).status === 401;
  const dev = await spawnDev({ command: WRANGLER, args, env: baseEnv({}), port: options.port, ready });
  const target = { name: "floor", dev, hookUrl: `${dev.url}/hooks/floor`, secret };
  try {
    return { ...target, firstAnsweredMs: await firstAnswer(target, options.sink) };
  } catch (err) {
    await dev.stop();
    throw err;
  }
}
