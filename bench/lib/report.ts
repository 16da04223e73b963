/**
 * The bench's results: one JSON document (bench/results/latest.json) and the same figures as a
 * table — gateway, floor, gateway ÷ floor — printed at the end and written as Markdown
 * (bench/results/latest.md).
 */
import type { BridgeMemory } from "./bridge-memory";
import type { BundleSize } from "./footprint";
import type { MeasuredLoad } from "./measure";
import type { ConversationFigures, LongConversationFigures } from "./model-phases";
import { ratio } from "./stats";
import type { StoragePerMessage } from "./storage-phase";

export type Skipped = { skipped: string };
export type Maybe<T> = T | Skipped;

export interface SideFootprint {
  readyMs: number;
  firstAnsweredMs: number;
  idleMemory: { rssKiB: number; workerdRssKiB: number };
  bundle: BundleSize;
}

export interface BenchResult {
  generatedAt: string;
  durationSeconds: number;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; loadAverageAtStart: number[]; node: string; note: string | null };
  settings: Record<string, number | string | boolean>;
  /** A few senders, each waiting for its reply before the next message: latency without queueing. */
  latency: { gateway: MeasuredLoad; floor: MeasuredLoad };
  /** Many senders in parallel: the most the target sustains; latencies here include queueing. */
  throughput: { gateway: MeasuredLoad; floor: MeasuredLoad };
  slowModel: Maybe<MeasuredLoad & { delayMs: number; modelCallsPerMessage: number }>;
  conversation: Maybe<ConversationFigures>;
  longConversation: Maybe<LongConversationFigures>;
  storage: Maybe<{
    model: string;
    gateway: StoragePerMessage;
    /** The same load against a D1 preloaded with a large history. */
    preloaded: { messages: number; apiCallsToday: number; counts: StoragePerMessage };
    floor: StoragePerMessage;
  }>;
  footprint: { gateway: SideFootprint; floor: SideFootprint; dashboardJsGzipKiB: number | null; bridge: Maybe<BridgeMemory> };
  /** Anything that must be zero and is not, or a phase that failed. */
  problems: string[];
}

type Row = [figure: string, gateway: string, floor: string, ratio: string];

const SKIPPED = "skipped*";

const isSkipped = <T extends object>(v: Maybe<T>): v is Skipped => "skipped" in v;
const fmt = (n: number | null | undefined, digits = 1) =>
  n == null || !Number.isFinite(n) ? "–" : n.toLocaleString("en-US", { maximumFractionDigits: digits });
const mib = (kib: number) => kib / 1024;
const times = (r: number | null) => (r == null ? "" : `${fmt(r, 2)}×`);

function compare(figure: string, gw: number | null | undefined, floor: number | null | undefined, digits = 1): Row {
  return [figure, fmt(gw, digits), fmt(floor, digits), times(ratio(gw, floor))];
}

export function tableRows(r: BenchResult): Row[] {
  const { gateway: g, floor: f } = r.throughput;
  const rows: Row[] = [
    compare("Throughput, messages/s", g.load.messagesPerSecond, f.load.messagesPerSecond),
    [`Messages (senders in parallel)`, `${g.load.messages} (${g.load.senders})`, `${f.load.messages} (${f.load.senders})`, ""],
    ["Lost / duplicated replies", `${g.load.lost} / ${g.load.duplicated}`, `${f.load.lost} / ${f.load.duplicated}`, ""],
  ];
  const { gateway: gl, floor: fl } = r.latency;
  const senders = (n: number) => `${n} sender${n === 1 ? "" : "s"}`;
  const light = senders(gl.load.senders);
  for (const p of ["p50", "p95", "p99"] as const) rows.push(compare(`Ack latency ${p}, ms (${light})`, gl.load.ack[p], fl.load.ack[p]));
  for (const p of ["p50", "p95", "p99"] as const) rows.push(compare(`Reply latency ${p}, ms (${light})`, gl.load.reply[p], fl.load.reply[p]));
  rows.push(compare(`Ack latency p99, ms (${senders(g.load.senders)})`, g.load.ack.p99, f.load.ack.p99));
  rows.push(compare(`Reply latency p99, ms (${senders(g.load.senders)})`, g.load.reply.p99, f.load.reply.p99));
  if (isSkipped(r.slowModel)) rows.push([`Model taking 2 s`, SKIPPED, "", ""]);
  else {
    const s = r.slowModel;
    const model = `model ${s.delayMs / 1000} s, ${senders(s.load.senders)}`;
    rows.push([`Ack latency p50 / p95 / p99, ms (${model})`, `${fmt(s.load.ack.p50)} / ${fmt(s.load.ack.p95)} / ${fmt(s.load.ack.p99)}`, "", ""]);
    rows.push([
      `Reply latency p50 / p95 / p99, ms (${model})`,
      `${fmt(s.load.reply.p50, 0)} / ${fmt(s.load.reply.p95, 0)} / ${fmt(s.load.reply.p99, 0)}`,
      "",
      "",
    ]);
    rows.push([`Lost / duplicated replies (${model})`, `${s.load.lost} / ${s.load.duplicated}`, "", ""]);
    rows.push([`Model calls per message (${model})`, fmt(s.modelCallsPerMessage, 2), "", ""]);
  }
  rows.push(compare("CPU per message, workerd, ms", g.cpu.workerdMsPerMessage, f.cpu.workerdMsPerMessage, 2));
  rows.push(compare("CPU per message, all processes, ms", g.cpu.treeMsPerMessage, f.cpu.treeMsPerMessage, 2));
  if (isSkipped(r.storage)) rows.push(["Storage work per message", SKIPPED, "", ""]);
  else {
    const { gateway: gs, floor: fs } = r.storage;
    rows.push([`Storage work per message, counted with`, r.storage.model, "", ""]);
    rows.push(compare("D1 statements per message", gs.d1Statements, fs.d1Statements, 2));
    rows.push(compare("D1 round trips per message", gs.d1RoundTrips, fs.d1RoundTrips, 2));
    rows.push(compare("D1 rows written per message", gs.d1RowsWritten, fs.d1RowsWritten, 2));
    rows.push(compare("D1 rows read per message", gs.d1RowsRead, fs.d1RowsRead, 2));
    for (const [table, n] of Object.entries(gs.d1RowsReadByTable ?? {}).sort((a, b) => b[1] - a[1])) {
      rows.push([`  rows read per message, D1 ${table}`, fmt(n, 2), "", ""]);
    }
    rows.push(compare("DO SQL statements per message", gs.doSqlStatements, fs.doSqlStatements, 2));
    rows.push(compare("DO rows written per message", gs.doSqlRowsWritten, fs.doSqlRowsWritten, 2));
    // Where the rows written go, per table (index entries and trigger writes included), largest first.
    for (const [table, n] of Object.entries(gs.rowsWrittenByTable ?? {}).sort((a, b) => b[1] - a[1])) {
      rows.push([`  rows written per message, ${table}`, fmt(n, 2), fmt(fs.rowsWrittenByTable?.[table] ?? 0, 2), ""]);
    }
    rows.push(compare("DO alarm calls per message", gs.doAlarmOperations, fs.doAlarmOperations, 2));
    rows.push(compare("DO key-value calls per message", gs.doKvOperations, fs.doKvOperations, 2));
    const p = r.storage.preloaded;
    const grown = `${fmt(p.messages, 0)} messages + ${fmt(p.apiCallsToday, 0)} calls today stored`;
    // Here the ratio column compares the preloaded database with the empty one, not with the floor.
    rows.push([`Flat as data grows: ${grown}, ratio to empty`, "", "", ""]);
    rows.push([
      `  CPU per message, workerd, ms (empty → stored)`,
      `${fmt(gs.workerdCpuMs, 2)} → ${fmt(p.counts.workerdCpuMs, 2)}`,
      "",
      times(ratio(p.counts.workerdCpuMs, gs.workerdCpuMs)),
    ]);
    rows.push([
      `  D1 rows read per message (empty → stored)`,
      `${fmt(gs.d1RowsRead, 2)} → ${fmt(p.counts.d1RowsRead, 2)}`,
      "",
      times(ratio(p.counts.d1RowsRead, gs.d1RowsRead)),
    ]);
    rows.push([
      `  D1 rows written per message (empty → stored)`,
      `${fmt(gs.d1RowsWritten, 2)} → ${fmt(p.counts.d1RowsWritten, 2)}`,
      "",
      times(ratio(p.counts.d1RowsWritten, gs.d1RowsWritten)),
    ]);
  }
  const { gateway: gf, floor: ff } = r.footprint;
  rows.push(compare("Worker bundle, gzip KiB", gf.bundle.gzipKiB, ff.bundle.gzipKiB));
  rows.push(compare("Worker bundle, upload KiB", gf.bundle.uploadKiB, ff.bundle.uploadKiB));
  rows.push(["Dashboard JS, gzip KiB", fmt(r.footprint.dashboardJsGzipKiB), "", ""]);
  rows.push(compare("Memory idle, all processes, MiB", mib(gf.idleMemory.rssKiB), mib(ff.idleMemory.rssKiB)));
  rows.push(compare("Memory idle, workerd, MiB", mib(gf.idleMemory.workerdRssKiB), mib(ff.idleMemory.workerdRssKiB)));
  rows.push(compare("Memory peak, all processes, MiB", mib(g.peakMemory.rssKiB), mib(f.peakMemory.rssKiB)));
  rows.push(compare("Memory peak, workerd, MiB", mib(g.peakMemory.workerdRssKiB), mib(f.peakMemory.workerdRssKiB)));
  const bridge = r.footprint.bridge;
  rows.push([
    "Bridge idle memory, MiB",
    isSkipped(bridge) ? SKIPPED : `${fmt(mib(bridge.processRssKiB))} (${fmt(mib(bridge.treeRssKiB))} with launcher)`,
    "",
    "",
  ]);
  rows.push(compare("Start to ready, s", gf.readyMs / 1000, ff.readyMs / 1000, 2));
  rows.push(compare("Start to first answered message, s", gf.firstAnsweredMs / 1000, ff.firstAnsweredMs / 1000, 2));
  const c = r.conversation;
  if (isSkipped(c)) rows.push(["Model traffic and prompt caching", SKIPPED, "", ""]);
  else {
    rows.push(["Bytes sent to the model, turn 1", fmt(c.turn1Bytes, 0), "", ""]);
    rows.push(["Bytes sent to the model, turn 10", fmt(c.turn10Bytes, 0), "", ""]);
    rows.push([`Input tokens read from cache, ${c.turns} turns`, `${fmt(c.cacheReadShare * 100)} %`, "", ""]);
  }
  const long = r.longConversation;
  if (isSkipped(long)) rows.push(["Long conversation", SKIPPED, "", ""]);
  else
    rows.push([
      `CPU per turn, workerd, ms: turns 6–15 → last 10 of ${long.turns} (ratio late ÷ early)`,
      `${fmt(long.earlyTurnCpuMs, 2)} → ${fmt(long.lastTurnCpuMs, 2)}`,
      "",
      times(ratio(long.lastTurnCpuMs, long.earlyTurnCpuMs)),
    ]);
  return rows;
}

/** Why each skipped part was skipped, one line each. */
export function skippedNotes(r: BenchResult): string[] {
  const parts: [string, Maybe<object>][] = [
    ["Model taking 2 s", r.slowModel],
    ["Model traffic and prompt caching", r.conversation],
    ["Long conversation", r.longConversation],
    ["Storage work", r.storage],
    ["Bridge idle memory", r.footprint.bridge],
  ];
  return parts.flatMap(([name, part]) => (isSkipped(part) ? [`* ${name} skipped: ${part.skipped}`] : []));
}

export function consoleTable(rows: Row[]): string {
  const header: Row = ["", "gateway", "floor", "÷ floor"];
  const all = [header, ...rows];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...all.map((row) => (row[i] ?? "").length)));
  return all.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ")).join("\n");
}

export function markdown(r: BenchResult): string {
  const m = r.machine;
  const lines = [
    `# Loopgate bench — ${r.generatedAt}`,
    "",
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}; load average at start ${m.loadAverageAtStart.map((l) => l.toFixed(2)).join(" / ")}.${m.note ? ` ${m.note}` : ""}`,
    `Run took ${Math.round(r.durationSeconds)} s. Settings: ${Object.entries(r.settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ")}.`,
    "",
    "| Figure | Gateway | Floor | Gateway ÷ floor |",
    "|---|---:|---:|---:|",
    ...tableRows(r).map((row) => `| ${row.join(" | ")} |`),
    "",
    ...skippedNotes(r).flatMap((n) => [n, ""]),
    r.problems.length ? `**Problems:**\n\n${r.problems.map((p) => `- ${p}`).join("\n")}` : "No lost or duplicated replies, no failed phase.",
    "",
    "How to read these figures: docs/performance.md.",
    "",
  ];
  return lines.join("\n");
}
