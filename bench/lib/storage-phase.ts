/**
 * Storage work per message: the target runs from an instrumented copy of its config (see
 * instrumented-config.ts and bench/instrument/), takes a small load, and the counters it
 * reports before and after are divided by the messages. Start-up and the first message are
 * outside the window, so one-time work (migrations, creating tables) is not counted. The
 * target's workerd CPU over the same window is measured too, so a run against a D1 preloaded
 * with a large history (`preload`) can be compared with one against an empty database.
 */
import type { StorageCounters } from "../instrument/counters-shape";
import { instrumentedConfig } from "./instrumented-config";
import { runLoad } from "./load";
import type { Preload } from "./preload";
import { sampleTree, totals } from "./proc-tree";
import type { ReplySink } from "./reply-sink";
import { startFloorTarget, startGatewayTarget, type Target } from "./targets";

export type StoragePerMessage = Omit<StorageCounters, "isolate"> & {
  /** workerd CPU per message over the counted load (the instrumented copy: compare runs of this phase with each other). */
  workerdCpuMs: number;
};

async function read(target: Target): Promise<StorageCounters> {
  return (await (await fetch(`${target.dev.url}/api/__bench/counters`)).json()) as StorageCounters;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export async function storagePerMessage(
  kind: "gateway" | "floor",
  o: { port: number; sink: ReplySink; messages: number; senders: number; label: string; env?: Record<string, string>; preload?: Preload },
): Promise<StoragePerMessage> {
  const config = instrumentedConfig(kind === "gateway" ? "wrangler.toml" : "bench/floor/wrangler.toml");
  const target =
    kind === "gateway"
      ? await startGatewayTarget({ port: o.port, sink: o.sink, config, env: o.env, preload: o.preload })
      : await startFloorTarget({ port: o.port, sink: o.sink, config });
  try {
    // Warm up with a few senders' first messages (objects created, code paths compiled), outside the window.
    await runLoad({ hookUrl: target.hookUrl, secret: target.secret, sink: o.sink, label: `${o.label}w`, senders: 5, messages: 20, replyTimeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 1000));
    const before = await read(target);
    const cpuBefore = totals(sampleTree(target.dev.pid)).workerdCpuMs;
    const load = await runLoad({
      hookUrl: target.hookUrl,
      secret: target.secret,
      sink: o.sink,
      label: o.label,
      senders: o.senders,
      messages: o.messages,
      replyTimeoutMs: 60_000,
    });
    // Records and delivery bookkeeping finish after the reply is sent; let them land.
    await new Promise((r) => setTimeout(r, 2000));
    const cpuAfter = totals(sampleTree(target.dev.pid)).workerdCpuMs;
    const after = await read(target);
    if (after.isolate !== before.isolate) throw new Error(`${kind}: the Worker restarted during the storage phase; counts are incomplete`);
    if (load.lost > 0) throw new Error(`${kind}: ${load.lost} replies lost during the storage phase`);
    const per = { workerdCpuMs: round2((cpuAfter - cpuBefore) / load.messages) } as StoragePerMessage;
    for (const key of Object.keys(after) as (keyof StorageCounters)[]) {
      if (key === "isolate" || key === "rowsWrittenByTable" || key === "d1RowsReadByTable") continue;
      per[key] = round2((after[key] - before[key]) / load.messages);
    }
    per.rowsWrittenByTable = {};
    for (const [table, rows] of Object.entries(after.rowsWrittenByTable)) {
      const delta = round2((rows - (before.rowsWrittenByTable[table] ?? 0)) / load.messages);
      if (delta > 0) per.rowsWrittenByTable[table] = delta;
    }
    per.d1RowsReadByTable = {};
    for (const [table, rows] of Object.entries(after.d1RowsReadByTable ?? {})) {
      const delta = round2((rows - (before.d1RowsReadByTable?.[table] ?? 0)) / load.messages);
      if (delta > 0) per.d1RowsReadByTable[table] = delta;
    }
    return per;
  } finally {
    await target.dev.stop();
  }
}
