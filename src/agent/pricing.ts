/**
 * Cost of a model call from the price table in prices.json (data, not code: a new model or a
 * price change is an edit to that file). Prices are USD per million tokens, and server tool uses
 * (web search) a fixed USD amount each.
 */
import prices from "./prices.json";

export interface Rates {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

interface ModelPrices extends Rates {
  /** Some models bill a whole request at higher rates once its prompt passes a threshold. */
  longPrompt?: Rates & { thresholdTokens: number };
}

export interface CallTokens {
  inputTokens: number;
  outputTokens: number;
  /** All cache writes; `cacheWrite1hTokens` of them at the 1-hour rate, the rest at the 5-minute rate. */
  cacheWriteTokens: number;
  cacheWrite1hTokens?: number;
  cacheReadTokens: number;
  /** Server tool uses the API reported in `usage.server_tool_use`, priced per use (prices.json `serverTools`). */
  webSearchRequests?: number;
  webFetchRequests?: number;
}

export interface CallCost {
  costUsd: number;
  /** What the cache reads would have cost as plain input, minus the cache-write premium paid. */
  cacheSavingsUsd: number;
  /** False when the model is not in the price table: the cost is then unknown and reported as 0. */
  priced: boolean;
}

const table = prices.models as Record<string, ModelPrices>;

export const DEFAULT_MODEL: string = prices.defaultModel;

/** Rates for a model id, accepting dated snapshots (`-20261001`) and context suffixes (`[1m]`). */
export function pricesFor(model: string): ModelPrices | null {
  const candidates = [model, model.replace(/\[[^\]]*\]$/, ""), model.replace(/\[[^\]]*\]$/, "").replace(/-\d{8}$/, "")];
  for (const name of candidates) if (table[name]) return table[name];
  return null;
}

export function knownModels(): string[] {
  return Object.keys(table);
}

const PER_TOKEN = 1 / 1_000_000;

/** USD for the server tool uses of one call; billed whatever the model, so known even for an unpriced model. */
export function serverToolCost(t: Pick<CallTokens, "webSearchRequests" | "webFetchRequests">): number {
  return (t.webSearchRequests ?? 0) * prices.serverTools.webSearchPerRequestUsd + (t.webFetchRequests ?? 0) * prices.serverTools.webFetchPerRequestUsd;
}

export function costOf(model: string, t: CallTokens): CallCost {
  const base = pricesFor(model);
  if (!base) return { costUsd: serverToolCost(t), cacheSavingsUsd: 0, priced: false };
  const promptTokens = t.inputTokens + t.cacheReadTokens + t.cacheWriteTokens;
  const r: Rates = base.longPrompt && promptTokens > base.longPrompt.thresholdTokens ? base.longPrompt : base;
  const write1h = Math.min(t.cacheWrite1hTokens ?? 0, t.cacheWriteTokens);
  const write5m = t.cacheWriteTokens - write1h;
  const costUsd =
    (t.inputTokens * r.input + t.outputTokens * r.output + write5m * r.cacheWrite5m + write1h * r.cacheWrite1h + t.cacheReadTokens * r.cacheRead) * PER_TOKEN +
    serverToolCost(t);
  const cacheSavingsUsd =
    (t.cacheReadTokens * (r.input - r.cacheRead) - write5m * (r.cacheWrite5m - r.input) - write1h * (r.cacheWrite1h - r.input)) * PER_TOKEN;
  return { costUsd, cacheSavingsUsd, priced: true };
}
