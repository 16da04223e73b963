/**
 * `npm run bench`: the gateway's speed, cost and footprint against a floor, in one run.
 * Starts the gateway as `npm start` does (offline echo model, then the Claude runtime against a
 * slow fake model), the floor Worker (bench/floor/), and instrumented copies of both for the
 * storage counts; drives them with signed webhooks from many senders; prints a table and
 * writes bench/results/latest.json and latest.md. Sizes and ports come from BENCH_* variables
 * (see docs/performance.md).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { bridgeIdleMemory } from "./lib/bridge-memory";
import { removeTempDirs, ROOT, runFrom } from "./lib/dev-process";
import { BENCH_MODEL_KEY, startModelFake } from "./lib/model-fake";
import { dashboardJsGzipKiB, ensureDashboardBuilt, workerBundleSize } from "./lib/footprint";
import { idleMemory, measureLoad, type MeasuredLoad } from "./lib/measure";
import { conversation, longConversation, modelMode, slowModelLoad } from "./lib/model-phases";
import { startReplySink } from "./lib/reply-sink";
import { type BenchResult, consoleTable, type Maybe, markdown, skippedNotes, tableRows } from "./lib/report";
import { snapshotTree } from "./lib/snapshot";
import { storagePerMessage } from "./lib/storage-phase";
import { startFloorTarget, startGatewayTarget, type Target } from "./lib/targets";

const int = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
};
const settings = {
  messages: int("BENCH_MESSAGES", 10_000),
  senders: int("BENCH_SENDERS", 100),
  latencyMessages: int("BENCH_LATENCY_MESSAGES", 200),
  latencySenders: int("BENCH_LATENCY_SENDERS", 1),
  slowMessages: int("BENCH_SLOW_MESSAGES", 100),
  slowSenders: int("BENCH_SLOW_SENDERS", 20),
  modelDelayMs: int("BENCH_MODEL_DELAY_MS", 2000),
  turns: int("BENCH_TURNS", 20),
  longTurns: int("BENCH_LONG_TURNS", 200),
  storageMessages: int("BENCH_STORAGE_MESSAGES", 300),
  preloadMessages: int("BENCH_PRELOAD_MESSAGES", 100_000),
  preloadCalls: int("BENCH_PRELOAD_CALLS", 50_000),
  port: int("BENCH_PORT", 8860),
  floorPort: int("BENCH_FLOOR_PORT", 8880),
  snapshot: process.env.BENCH_SNAPSHOT !== "0",
};
const ports = {
  gateway: settings.port,
  modelGateway: settings.port + 1,
  countedGateway: settings.port + 2,
  preloadedGateway: settings.port + 3,
  sink: settings.port + 5,
  model: settings.port + 6,
  floor: settings.floorPort,
  countedFloor: settings.floorPort + 1,
};

const started = performance.now();
const runId = Date.now().toString(36);
const log = (message: string) => console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);
const problems: string[] = [];
const running = new Set<Target>();
const loadAverageAtStart = loadavg();

async function track<T extends Target>(target: Promise<T>): Promise<T> {
  const t = await target;
  running.add(t);
  return t;
}
async function stop(target: Target) {
  running.delete(target);
  await target.dev.stop();
}
function checkZero(what: string, m: MeasuredLoad) {
  if (m.load.lost || m.load.duplicated || m.load.mismatched || m.load.unacknowledged) {
    problems.push(
      `${what}: ${m.load.lost} lost, ${m.load.duplicated} duplicated, ${m.load.mismatched} mismatched replies, ${m.load.unacknowledged} unacknowledged messages`,
    );
  }
}
async function optional<T>(what: string, run: () => Promise<T | null>, whenNull: string): Promise<Maybe<T>> {
  try {
    return (await run()) ?? { skipped: whenNull };
  } catch (err) {
    const reason = err instanceof Error ? (err.message.split("\n")[0] ?? String(err)) : String(err);
    problems.push(`${what}: ${reason}`);
    return { skipped: reason };
  }
}

/**
 * Idle memory, then latency at light load and throughput, each checked for lost or duplicated
 * replies: the gateway and the floor go through the same steps so their figures compare.
 * `label` prefixes the senders' ids (`<label>l-` for the light load) so runs never share them.
 */
async function measureTarget(name: "gateway" | "floor", target: Target, label: string) {
  const idle = await idleMemory(target);
  log(`${name}: latency at light load, ${settings.latencyMessages} messages from ${settings.latencySenders} senders`);
  const latency = await measureLoad(target, {
    sink,
    label: `${label}l-${runId}`,
    senders: settings.latencySenders,
    messages: settings.latencyMessages,
    replyTimeoutMs: 60_000,
  });
  checkZero(`${name}, light load`, latency);
  log(`${name}: throughput, ${settings.messages} messages from ${settings.senders} senders`);
  const load = await measureLoad(target, {
    sink,
    label: `${label}-${runId}`,
    senders: settings.senders,
    messages: settings.messages,
    replyTimeoutMs: 120_000,
    settleMs: 2000,
  });
  checkZero(name, load);
  log(`${name}: ${load.load.messagesPerSecond} messages/s`);
  return { idle, latency, load };
}

process.on("SIGINT", () => {
  void Promise.all([...running].map((t) => t.dev.stop())).finally(() => {
    removeTempDirs();
    process.exit(130);
  });
});

if (settings.snapshot) runFrom(snapshotTree());
const sink = await startReplySink(ports.sink);
const fake = await startModelFake(ports.model);
try {
  log("building the dashboard if missing or stale (the gateway's static assets)");
  ensureDashboardBuilt();
  log("building the Worker bundles (wrangler deploy --dry-run)");
  const bundles = { gateway: workerBundleSize("wrangler.toml"), floor: workerBundleSize("bench/floor/wrangler.toml") };

  log(`gateway (offline echo model): starting on port ${ports.gateway}`);
  const gateway = await track(startGatewayTarget({ port: ports.gateway, sink }));
  const { idle: gatewayIdle, latency: gatewayLatency, load: gatewayLoad } = await measureTarget("gateway", gateway, "gw");
  log("gateway: measuring the bridge's idle memory");
  const bridge = await optional("bridge", () => bridgeIdleMemory(gateway, 0), "this tree has no `npm run bridge`");
  await stop(gateway);

  log(`floor: starting on port ${ports.floor}`);
  const floor = await track(startFloorTarget({ port: ports.floor, sink }));
  const { idle: floorIdle, latency: floorLatency, load: floorLoad } = await measureTarget("floor", floor, "fl");
  await stop(floor);

  log(`gateway (Claude runtime, fake model on ${fake.url}): starting on port ${ports.modelGateway}`);
  const modelEnv = { ANTHROPIC_API_KEY: BENCH_MODEL_KEY, ANTHROPIC_BASE_URL: fake.url };
  const modelGateway = await track(startGatewayTarget({ port: ports.modelGateway, sink, env: modelEnv }));
  const mode = await modelMode(modelGateway);
  const noModel = mode === "offline-echo" ? `the gateway stayed on its offline echo model (health reports mode "${mode}")` : null;
  const slowModel = await optional(
    "model taking 2 s",
    async () => {
      if (noModel) return null;
      log(`model case: ${settings.slowMessages} messages from ${settings.slowSenders} senders, model answering in ${settings.modelDelayMs} ms`);
      const m = await slowModelLoad(modelGateway, sink, fake, {
        delayMs: settings.modelDelayMs,
        senders: settings.slowSenders,
        messages: settings.slowMessages,
        label: `slow-${runId}`,
      });
      checkZero("model taking 2 s", m);
      return { ...m, delayMs: settings.modelDelayMs };
    },
    noModel ?? "",
  );
  const convo = await optional(
    "conversation",
    async () => {
      if (noModel) return null;
      log(`model case: one conversation of ${settings.turns} turns`);
      return conversation(modelGateway, sink, fake, { turns: settings.turns, label: `conv-${runId}` });
    },
    noModel ?? "",
  );
  const longConvo = await optional(
    "long conversation",
    async () => {
      if (noModel) return null;
      log(`model case: one conversation of ${settings.longTurns} turns, CPU per turn early and late`);
      return longConversation(modelGateway, sink, fake, { turns: settings.longTurns, label: `long-${runId}` });
    },
    noModel ?? "",
  );
  await stop(modelGateway);

  log(`storage counts: ${settings.storageMessages} messages through instrumented copies of the gateway and the floor`);
  const storage = await optional(
    "storage counts",
    async () => {
      const opts = { sink, messages: settings.storageMessages, senders: Math.min(settings.senders, 20) };
      // Counted on the production path (the Claude runtime, against the fake model answering at once) when it works here.
      fake.setDelay(0);
      const env = noModel ? {} : modelEnv;
      const gatewayCounts = await storagePerMessage("gateway", { ...opts, port: ports.countedGateway, label: `sg-${runId}`, env });
      const preload = { messages: settings.preloadMessages, apiCallsToday: settings.preloadCalls };
      log(`storage counts again with ${preload.messages} stored messages and ${preload.apiCallsToday} model calls today preloaded`);
      const preloaded = await storagePerMessage("gateway", { ...opts, port: ports.preloadedGateway, label: `sp-${runId}`, env, preload });
      const floorCounts = await storagePerMessage("floor", { ...opts, port: ports.countedFloor, label: `sf-${runId}` });
      return {
        model: noModel ? "offline echo" : "Claude runtime, fake model",
        gateway: gatewayCounts,
        preloaded: { ...preload, counts: preloaded },
        floor: floorCounts,
      };
    },
    "",
  );

  const result: BenchResult = {
    generatedAt: new Date().toISOString(),
    durationSeconds: (performance.now() - started) / 1000,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "unknown",
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      loadAverageAtStart,
      node: process.version,
      note: process.env.BENCH_MACHINE_NOTE ?? null,
    },
    settings: { ...settings },
    latency: { gateway: gatewayLatency, floor: floorLatency },
    throughput: { gateway: gatewayLoad, floor: floorLoad },
    slowModel,
    conversation: convo,
    longConversation: longConvo,
    storage,
    footprint: {
      gateway: {
        readyMs: gateway.dev.readyAt - gateway.dev.spawnedAt,
        firstAnsweredMs: gateway.firstAnsweredMs,
        idleMemory: gatewayIdle,
        bundle: bundles.gateway,
      },
      floor: { readyMs: floor.dev.readyAt - floor.dev.spawnedAt, firstAnsweredMs: floor.firstAnsweredMs, idleMemory: floorIdle, bundle: bundles.floor },
      dashboardJsGzipKiB: dashboardJsGzipKiB(),
      bridge,
    },
    problems,
  };
  const dir = `${ROOT}/bench/results`;
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(result, null, 2);
  writeFileSync(`${dir}/latest.json`, json);
  writeFileSync(`${dir}/run-${result.generatedAt.replace(/[:.]/g, "-")}.json`, json);
  writeFileSync(`${dir}/latest.md`, markdown(result));
  console.log(`\n${consoleTable(tableRows(result))}\n`);
  for (const note of skippedNotes(result)) console.log(note);
  if (problems.length) console.log(`Problems:\n${problems.map((p) => `  - ${p}`).join("\n")}\n`);
  log(`done; results in bench/results/latest.json and latest.md`);
  process.exitCode = problems.length ? 1 : 0;
} finally {
  await Promise.all([...running].map((t) => t.dev.stop()));
  await sink.close();
  await fake.close();
  removeTempDirs();
}
