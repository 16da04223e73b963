/**
 * The storage counts alone (`npm run bench:storage`): the instrumented gateway on the Claude
 * runtime path against the fake model, a small load, D1 and Durable Object work per message,
 * with rows written and read attributed to tables. Seconds instead of the full bench's minutes,
 * for checking a change to what a message writes; the figures are the bench's storage phase's.
 * With BENCH_PRELOAD_MESSAGES set it counts again on a D1 preloaded with that many stored
 * messages (and BENCH_PRELOAD_CALLS model calls today, half as many by default), as the bench's
 * "flat as data grows" phase does.
 */
import { removeTempDirs, runFrom } from "./lib/dev-process";
import { BENCH_MODEL_KEY, startModelFake } from "./lib/model-fake";
import { startReplySink } from "./lib/reply-sink";
import { snapshotTree } from "./lib/snapshot";
import { storagePerMessage } from "./lib/storage-phase";

const port = Number(process.env.BENCH_PORT ?? 8860);
const messages = Number(process.env.BENCH_STORAGE_MESSAGES ?? 300);
if (process.env.BENCH_SNAPSHOT !== "0") runFrom(snapshotTree());
const sink = await startReplySink(port + 5);
const fake = await startModelFake(port + 6);
try {
  fake.setDelay(0);
  const env = { ANTHROPIC_API_KEY: BENCH_MODEL_KEY, ANTHROPIC_BASE_URL: fake.url };
  const counts = await storagePerMessage("gateway", { port: port + 2, sink, messages, senders: 20, label: `sq-${Date.now().toString(36)}`, env });
  console.log(JSON.stringify(counts, null, 2));
  // BENCH_PRELOAD_MESSAGES / BENCH_PRELOAD_CALLS: the same counts again on a D1 holding that history (the bench's "flat as data grows").
  const preloadMessages = Number(process.env.BENCH_PRELOAD_MESSAGES ?? 0);
  if (preloadMessages > 0) {
    const preload = { messages: preloadMessages, apiCallsToday: Number(process.env.BENCH_PRELOAD_CALLS ?? preloadMessages / 2) };
    const preloaded = await storagePerMessage("gateway", {
      port: port + 3,
      sink,
      messages,
      senders: 20,
      label: `sqp-${Date.now().toString(36)}`,
      env,
      preload,
    });
    console.log(JSON.stringify({ preload, counts: preloaded }, null, 2));
  }
} finally {
  await sink.close();
  await fake.close();
  removeTempDirs();
}
