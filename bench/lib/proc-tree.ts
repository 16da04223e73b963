/**
 * CPU time and resident memory of a process and all its descendants, read from /proc (Linux):
 * `npm start` is node → wrangler → workerd, and the Worker's own work happens in workerd.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const CLOCK_TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

export interface ProcSample {
  pid: number;
  /** The executable name (`workerd`, `node`, ...). */
  comm: string;
  /** User + system CPU time since the process started. */
  cpuMs: number;
  rssKiB: number;
}

function readStat(pid: number): { comm: string; ppid: number; cpuMs: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // comm is parenthesised and may contain spaces; the fields after it are space-separated.
    const close = text.lastIndexOf(")");
    const comm = text.slice(text.indexOf("(") + 1, close);
    const fields = text.slice(close + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { comm, ppid: Number(fields[1]), cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_SECOND };
  } catch {
    return null;
  }
}

function readRssKiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** The root process and every live descendant, each with its CPU time and resident memory. */
export function sampleTree(rootPid: number): ProcSample[] {
  const parents = new Map<number, number[]>();
  const stats = new Map<number, { comm: string; ppid: number; cpuMs: number }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    stats.set(Number(entry), stat);
    parents.set(stat.ppid, [...(parents.get(stat.ppid) ?? []), Number(entry)]);
  }
  const out: ProcSample[] = [];
  const queue = [rootPid];
  while (queue.length) {
    const pid = queue.shift() as number;
    const stat = stats.get(pid);
    if (!stat) continue;
    out.push({ pid, comm: stat.comm, cpuMs: stat.cpuMs, rssKiB: readRssKiB(pid) });
    queue.push(...(parents.get(pid) ?? []));
  }
  return out;
}

export interface TreeTotals {
  cpuMs: number;
  workerdCpuMs: number;
  rssKiB: number;
  workerdRssKiB: number;
}

export function totals(samples: ProcSample[]): TreeTotals {
  const sum = (list: ProcSample[], key: "cpuMs" | "rssKiB") => list.reduce((n, s) => n + s[key], 0);
  const workerd = samples.filter((s) => s.comm === "workerd");
  return { cpuMs: sum(samples, "cpuMs"), workerdCpuMs: sum(workerd, "cpuMs"), rssKiB: sum(samples, "rssKiB"), workerdRssKiB: sum(workerd, "rssKiB") };
}

/** Samples the tree's memory every `intervalMs` until stopped; returns the peak totals seen. */
export function watchPeakMemory(rootPid: number, intervalMs = 500) {
  let peak = { rssKiB: 0, workerdRssKiB: 0 };
  const take = () => {
    const t = totals(sampleTree(rootPid));
    peak = { rssKiB: Math.max(peak.rssKiB, t.rssKiB), workerdRssKiB: Math.max(peak.workerdRssKiB, t.workerdRssKiB) };
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return peak;
    },
  };
}
