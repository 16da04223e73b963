/**
 * `npm run soak`: a bounded run of the gateway under steady mixed traffic, to show that nothing
 * grows that should not and that every message is accounted for. `npm start` (offline echo
 * model) and the bridge run as processes; senders talk on three channels at once — the generic
 * webhook (replies to a signing reply sink), Telegram (fake Bot API, webhook updates) and Signal
 * on the bridge (fake signal-cli) — and the bridge is restarted halfway. Every interval it samples
 * the resident memory of workerd and of the bridge, the Worker's own JavaScript heap (through
 * the DevTools protocol, bench/lib/worker-heap.ts), their open sockets and the size of the
 * gateway's state on disk; at the end it waits for every reply and counts lost and duplicated
 * ones. Settings: SOAK_MINUTES (default 20), SOAK_RATE (messages per second, default 3),
 * SOAK_SENDERS (default 60), SOAK_PORT (default 10050; the Worker's inspector on the next port). Writes bench/results/soak.json.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startFakeSignalCli } from "../bridge/src/channels/signal/fake-signal-cli";
import { createTelegramFake } from "../src/channels/telegram/fake-bot-api";
import { serveFake } from "../test/fakes/http-fake-server";
import { type BridgeProcess, startBridge } from "../test/support/bridge-process";
import { baseEnv, removeTempDirs, ROOT, runFrom, source, spawnDev, tempDir } from "./lib/dev-process";
import { postWithRetries } from "./lib/load";
import { sampleTree } from "./lib/proc-tree";
import { openWorkerHeap } from "./lib/worker-heap";
import { startReplySink } from "./lib/reply-sink";
import { snapshotTree } from "./lib/snapshot";

const num = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};
const minutes = num("SOAK_MINUTES", 20);
const rate = num("SOAK_RATE", 3);
const senders = Math.max(3, Math.round(num("SOAK_SENDERS", 60)));
const port = num("SOAK_PORT", 10050);
const sampleEveryMs = Math.min(30_000, Math.max(2_000, (minutes * 60_000) / 40));
const TG_TOKEN = "123456789:AAHsoakTelegramTokenForTheLoopgateRun";
const SIGNAL_ACCOUNT = "+15550009000";
const SECRET = randomBytes(24).toString("base64url");

const started = performance.now();
const log = (m: string) => console.log(`[soak ${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s] ${m}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sockets a process holds open: /proc/<pid>/fd links that read `socket:[inode]`. */
function openSockets(pids: number[]): number {
  let n = 0;
  for (const pid of pids) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith("socket:")) n++;
        } catch {
          // closed while listing
        }
      }
    } catch {
      // process gone
    }
  }
  return n;
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    try {
      total += entry.isDirectory() ? dirBytes(path) : statSync(path).size;
    } catch {
      // removed while walking (SQLite journals)
    }
  }
  return total;
}

interface Sample {
  atS: number;
  sent: number;
  answered: number;
  workerdRssMiB: number;
  /** The Worker isolate's JavaScript heap in use, and reserved. */
  workerHeapMiB: number;
  workerHeapTotalMiB: number;
  bridgeRssMiB: number;
  workerdSockets: number;
  bridgeSockets: number;
  stateMiB: number;
}

type Channel = "webhook" | "telegram" | "signal";
interface Sent {
  channel: Channel;
  key: string;
  text: string;
  sender: number;
}

async function main() {
  // Edits made while the soak runs must not restart the Worker (wrangler dev watches its sources) or change the bridge.
  const tree = snapshotTree();
  runFrom(tree);
  const sink = await startReplySink();
  const telegram = createTelegramFake({ token: TG_TOKEN });
  const tgServer = await serveFake(telegram.handle);
  const signal = await startFakeSignalCli(SIGNAL_ACCOUNT);
  const stateDir = tempDir("loopgate-soak-gateway-");
  const bridgeData = tempDir("loopgate-soak-bridge-");
  const setupToken = randomBytes(18).toString("base64url");
  const gateway = await spawnDev({
    command: process.execPath,
    args: [source("scripts", "start.mjs")],
    env: baseEnv({
      PORT: String(port),
      LOOPGATE_INSPECTOR_PORT: String(port + 1),
      LOOPGATE_STATE_DIR: stateDir,
      LOOPGATE_SETUP_TOKEN: setupToken,
      API_RATE_LIMIT_PER_MINUTE: "100000",
    }),
    port,
    ready: async (url) => (await fetch(`${url}/api/health`)).ok,
  });
  let bridge: BridgeProcess | undefined;
  try {
    const call = async <T>(method: string, path: string, body?: unknown, token?: string): Promise<T> => {
      const res = await fetch(`${gateway.url}${path}`, {
        method,
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return JSON.parse(text) as T;
    };
    const { token } = await call<{ token: string }>("POST", "/api/auth/setup", { username: "admin", password: "soak password 0123456789", setupToken });
    const api = <T>(method: string, path: string, body?: unknown) => call<T>(method, path, body, token);
    const hook = await api<{ channel: { id: string; inboundUrl: string } }>("POST", "/api/channels", {
      type: "webhook",
      name: "soak-webhook",
      policy: "open",
      rateLimitPerMinute: 1000,
      config: { secret: SECRET, callbackUrl: sink.route("/soak", SECRET) },
    });
    const tg = await api<{ channel: { id: string } }>("POST", "/api/channels", {
      type: "telegram",
      name: "soak-telegram",
      policy: "open",
      rateLimitPerMinute: 1000,
      config: { botToken: TG_TOKEN, apiBase: tgServer.url },
    });
    await api("POST", `/api/channels/${tg.channel.id}/setup`, {});
    const created = await api<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: "soak-bridge" });
    const sig = await api<{ channel: { id: string } }>("POST", "/api/channels", {
      type: "signal",
      name: "soak-signal",
      policy: "open",
      rateLimitPerMinute: 1000,
      config: { bridgeId: created.bridge.id, account: SIGNAL_ACCOUNT, daemon: signal.address },
    });
    const runBridge = () => startBridge({ url: gateway.url, token: created.token, dataDir: bridgeData, heartbeatMs: 5000, root: tree });
    bridge = runBridge();
    const signalUp = async () => (await api<{ channel: { status: string } }>("GET", `/api/channels/${sig.channel.id}`)).channel.status === "connected";
    for (let i = 0; !(await signalUp()); i++) {
      if (i > 300) throw new Error(`the Signal channel did not connect\n${bridge.output()}`);
      await sleep(200);
    }
    log(`gateway on ${gateway.url}, bridge connected; ${senders} senders, ${rate} messages/s for ${minutes} min`);

    const sent: Sent[] = [];
    let nextTelegramId = 1;
    const answered = (m: Sent): number => {
      if (m.channel === "webhook") return sink.repliesTo(m.key).length;
      if (m.channel === "telegram") return telegram.state.sent.filter((s) => s.reply_parameters?.message_id === Number(m.key)).length;
      return signal.sent.filter((s) => s.message.endsWith(`You said: ${m.text}`)).length;
    };
    // Counting is linear in what was sent; keep a running set of the answered ones instead of rescanning.
    const done = new Set<Sent>();
    const countAnswered = () => {
      for (const m of sent) if (!done.has(m) && answered(m) > 0) done.add(m);
      return done.size;
    };
    const sendOne = async (n: number) => {
      const sender = n % senders;
      const channel: Channel = sender % 3 === 0 ? "signal" : sender % 3 === 1 ? "telegram" : "webhook";
      const text = `soak ${sender} message ${n}`;
      if (channel === "webhook") {
        const key = `soak-${n}`;
        const body = JSON.stringify({ messageId: key, sender: { id: `web-${sender}` }, text });
        if ((await postWithRetries(hook.channel.inboundUrl, SECRET, body, () => undefined)) !== null) sent.push({ channel, key, text, sender });
      } else if (channel === "telegram") {
        const id = nextTelegramId++;
        const chat = 7_000_000 + sender;
        const update = {
          update_id: id,
          message: {
            message_id: id,
            date: Math.floor(Date.now() / 1000),
            chat: { id: chat, type: "private", first_name: `S${sender}` },
            from: { id: chat, is_bot: false, first_name: `S${sender}` },
            text,
          },
        };
        const res = await telegram.deliver(update);
        if (res.ok) sent.push({ channel, key: String(id), text, sender });
        else log(`telegram update ${id} refused: ${res.status}`);
      } else {
        // The bridge writes it down before signal-cli's push counts as taken: a sent Signal message is acknowledged.
        signal.deliver({ from: `+1555100${String(sender).padStart(4, "0")}`, name: `S${sender}`, text });
        sent.push({ channel, key: text, text, sender });
      }
    };

    const heap = await openWorkerHeap(port + 1);
    const samples: Sample[] = [];
    const sample = async () => {
      const workerHeap = await heap.read();
      const tree = sampleTree(gateway.pid);
      const workerd = tree.filter((p) => p.comm === "workerd");
      const bridgeTree = bridge ? sampleTree(bridge.pid) : [];
      const s: Sample = {
        atS: Math.round((performance.now() - started) / 1000),
        sent: sent.length,
        answered: countAnswered(),
        workerdRssMiB: workerd.reduce((n, p) => n + p.rssKiB, 0) / 1024,
        workerHeapMiB: workerHeap.usedBytes / 1024 / 1024,
        workerHeapTotalMiB: workerHeap.totalBytes / 1024 / 1024,
        bridgeRssMiB: bridgeTree.filter((p) => p.comm !== "tsx" && p.comm !== "sh").reduce((n, p) => Math.max(n, p.rssKiB), 0) / 1024,
        workerdSockets: openSockets(workerd.map((p) => p.pid)),
        bridgeSockets: openSockets(bridgeTree.map((p) => p.pid)),
        stateMiB: dirBytes(stateDir) / 1024 / 1024,
      };
      samples.push(s);
      log(
        `sent ${s.sent} answered ${s.answered} | workerd ${s.workerdRssMiB.toFixed(0)} MiB (Worker heap ${s.workerHeapMiB.toFixed(1)} of ${s.workerHeapTotalMiB.toFixed(1)} MiB), ${s.workerdSockets} sockets | bridge ${s.bridgeRssMiB.toFixed(0)} MiB, ${s.bridgeSockets} sockets | state ${s.stateMiB.toFixed(1)} MiB`,
      );
    };

    const endAt = Date.now() + minutes * 60_000;
    const restartAt = Date.now() + (minutes * 60_000) / 2;
    let restarted = false;
    let nextSampleAt = Date.now();
    let n = 0;
    const inFlight = new Set<Promise<void>>();
    const t0 = Date.now();
    while (Date.now() < endAt) {
      if (Date.now() >= nextSampleAt) {
        await sample();
        nextSampleAt += sampleEveryMs;
      }
      if (!restarted && Date.now() >= restartAt) {
        restarted = true;
        log("restarting the bridge");
        await bridge.stop();
        bridge = runBridge();
      }
      const p = sendOne(n++).catch((err: unknown) => log(`send failed: ${String(err)}`));
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      const due = t0 + (n * 1000) / rate;
      await sleep(Math.max(0, due - Date.now()));
    }
    await Promise.all(inFlight);
    log(`load over: ${sent.length} messages acknowledged; waiting for every reply`);
    const drainUntil = Date.now() + 180_000;
    while (countAnswered() < sent.length && Date.now() < drainUntil) await sleep(1000);
    // A late duplicate would show up in the moments after the last reply: watch the queues drain instead of trusting a pause.
    const bridgeRow = async () => (await api<{ bridge: { queuedReplies: number } }>("GET", `/api/bridges/${created.bridge.id}`)).bridge.queuedReplies;
    while ((await bridgeRow()) > 0 && Date.now() < drainUntil) await sleep(500);
    await sample();
    heap.close();

    const lost = sent.filter((m) => answered(m) === 0);
    const duplicated = sent.filter((m) => answered(m) > 1);
    const byChannel = (c: Channel) => sent.filter((m) => m.channel === c).length;
    const runs = await api<{ runs: { deliveryStatus: string }[] }>("GET", "/api/runs?limit=500");
    const failedRuns = runs.runs.filter((r) => r.deliveryStatus === "failed").length;
    const half = samples.slice(Math.floor(samples.length / 2));
    const slope = (key: keyof Sample) => {
      const a = half[0]!;
      const b = half.at(-1)!;
      const mins = (b.atS - a.atS) / 60;
      return mins > 0 ? ((b[key] as number) - (a[key] as number)) / mins : 0;
    };
    const result = {
      at: new Date().toISOString(),
      settings: { minutes, rate, senders, sampleEveryS: sampleEveryMs / 1000 },
      messages: { sent: sent.length, webhook: byChannel("webhook"), telegram: byChannel("telegram"), signal: byChannel("signal") },
      lost: lost.length,
      duplicated: duplicated.length,
      sinkRedeliveries: sink.counts().redeliveries,
      failedRunsInLast500: failedRuns,
      secondHalfSlopePerMinute: {
        workerdRssMiB: slope("workerdRssMiB"),
        workerHeapMiB: slope("workerHeapMiB"),
        bridgeRssMiB: slope("bridgeRssMiB"),
        workerdSockets: slope("workerdSockets"),
        stateMiB: slope("stateMiB"),
      },
      /** The heap's lowest reading in each half: a leak raises the floor the Worker's collections return to. */
      workerHeapFloorMiB: {
        firstHalf: Math.min(...samples.slice(0, Math.floor(samples.length / 2)).map((x) => x.workerHeapMiB)),
        secondHalf: Math.min(...half.map((x) => x.workerHeapMiB)),
      },
      stateBytesPerMessage: samples.at(-1)!.stateMiB > 0 ? Math.round((samples.at(-1)!.stateMiB * 1024 * 1024) / Math.max(1, sent.length)) : 0,
      samples,
    };
    mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
    writeFileSync(join(ROOT, "bench", "results", "soak.json"), `${JSON.stringify(result, null, 2)}\n`);
    log(`lost ${lost.length}, duplicated ${duplicated.length}; results in bench/results/soak.json`);
    for (const m of lost.slice(0, 10)) log(`  lost: ${m.channel} ${m.text}`);
    for (const m of duplicated.slice(0, 10)) log(`  duplicated: ${m.channel} ${m.text}`);
    console.log(JSON.stringify({ ...result, samples: undefined }, null, 2));
    process.exitCode = lost.length === 0 && duplicated.length === 0 ? 0 : 1;
  } finally {
    await bridge?.stop();
    await gateway.stop();
    await sink.close();
    await tgServer.close();
    await signal.close();
    removeTempDirs();
  }
}

await main();
