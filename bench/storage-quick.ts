/**
 * The storage counts alone (`npm run bench:storage`): the instrumented gateway on the Claude
 * runtime path against the fake model, a small load, D1 and Durable Object work per message,
 * with rows written and read attributed to tables. Seconds instead of the full bench's minutes,
 * for checking a change to what a message writes; the figures are the bench's storage phase's.
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
} finally {
  await sink.close();
  await fake.close();
  removeTempDirs();
}
