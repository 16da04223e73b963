/**
 * One measured load against a running target: the load itself, CPU per message of the
 * target's process tree (workerd alone and everything: node, wrangler, workerd), and the
 * tree's peak resident memory while the load ran.
 */
import { runLoad, type LoadOptions } from "./load";
import { sampleTree, totals, watchPeakMemory } from "./proc-tree";
import { summarize, type LatencySummary } from "./stats";
import type { Target } from "./targets";

export interface LoadFigures {
  messages: number;
  senders: number;
  durationMs: number;
  messagesPerSecond: number;
  ack: LatencySummary;
  reply: LatencySummary;
  lost: number;
  duplicated: number;
  mismatched: number;
  unacknowledged: number;
  ackRetries: number;
  redeliveries: number;
}

export interface MeasuredLoad {
  load: LoadFigures;
  cpu: { workerdMsPerMessage: number; treeMsPerMessage: number };
  peakMemory: { rssKiB: number; workerdRssKiB: number };
}

const perMessage = (ms: number, n: number) => Math.round((ms / Math.max(1, n)) * 100) / 100;

export async function measureLoad(target: Target, options: Omit<LoadOptions, "hookUrl" | "secret">): Promise<MeasuredLoad> {
  const before = totals(sampleTree(target.dev.pid));
  const memory = watchPeakMemory(target.dev.pid);
  const result = await runLoad({ ...options, hookUrl: target.hookUrl, secret: target.secret });
  const peakMemory = memory.stop();
  const after = totals(sampleTree(target.dev.pid));
  const { ackMs, replyMs, ...rest } = result;
  return {
    load: {
      ...rest,
      messagesPerSecond: Math.round(rest.messagesPerSecond * 10) / 10,
      durationMs: Math.round(rest.durationMs),
      ack: summarize(ackMs),
      reply: summarize(replyMs),
    },
    cpu: {
      workerdMsPerMessage: perMessage(after.workerdCpuMs - before.workerdCpuMs, result.messages),
      treeMsPerMessage: perMessage(after.cpuMs - before.cpuMs, result.messages),
    },
    peakMemory,
  };
}

/** Resident memory of the target's tree once it has settled after start and one message. */
export async function idleMemory(target: Target, settleMs = 3000): Promise<{ rssKiB: number; workerdRssKiB: number }> {
  await new Promise((r) => setTimeout(r, settleMs));
  const t = totals(sampleTree(target.dev.pid));
  return { rssKiB: t.rssKiB, workerdRssKiB: t.workerdRssKiB };
}
