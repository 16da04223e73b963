/**
 * Storage work per message: the target runs from an instrumented copy of its config (see
 * instrumented-config.ts and bench/instrument/), takes a small load, and the counters it
 * reports before and after are divided by the messages. Start-up and the first message are
 * outside the window, so one-time work (migrations, creating tables) is not counted.
 */
import type { StorageCounters } from "../instrument/counters-shape";
import { instrumentedConfig } from "./instrumented-config";
import { runLoad } from "./load";
import type { ReplySink } from "./reply-sink";
import { startFloorTarget, startGatewayTarget, type Target } from "./targets";

export type StoragePerMessage = Omit<StorageCounters, "isolate">;

async function read(target: Target): Promise<StorageCounters> {
  return (await (await fetch(`${target.dev.url}/api/__bench/counters`)).json()) as StorageCounters;
}

export async function storagePerMessage(
  kind: "gateway" | "floor",
  o: { port: number; sink: ReplySink; messages: number; senders: number; label: string; env?: Record<string, string> },
): Promise<StoragePerMessage> {
  const config = instrumentedConfig(kind === "gateway" ? "wrangler.toml" : "bench/floor/wrangler.toml");
  const target =
    kind === "gateway"
      ? await startGatewayTarget({ port: o.port, sink: o.sink, config, env: o.env })
      : await startFloorTarget({ port: o.port, sink: o.sink, config });
  try {
    const before = await read(target);
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
    const after = await read(target);
    if (after.isolate !== before.isolate) throw new Error(`${kind}: the Worker restarted during the storage phase; counts are incomplete`);
    if (load.lost > 0) throw new Error(`${kind}: ${load.lost} replies lost during the storage phase`);
    const per = {} as StoragePerMessage;
    for (const key of Object.keys(after) as (keyof StorageCounters)[]) {
      if (key === "isolate") continue;
      per[key] = Math.round(((after[key] - before[key]) / load.messages) * 100) / 100;
    }
    return per;
  } finally {
    await target.dev.stop();
  }
}
