/**
 * Turns the model calls of a turn into `api_calls` rows, the single source of usage, cost and
 * budgets. Conversations, scheduled job runs and loop-task iterations all record their calls
 * here, attributed to whoever the calls were made for, so /api/usage and the daily caps see
 * every call exactly once.
 */
import type { apiCalls } from "../db/schema";
import type { ApiCallRecord } from "./types";

export type ApiCallRow = typeof apiCalls.$inferInsert;

/** Who a batch of calls is charged to, as /api/usage groups and filters them. */
export interface CallAttribution {
  channelId: string;
  senderId: string;
  sessionId: string;
  /** The run the calls belong to (a conversation turn, a job run, a loop iteration). */
  runId: string;
  /**
   * Row ids are `${idPrefix}:001`, `:002`, ...; stable per turn so that writing the same record
   * twice (a retried alarm) inserts nothing new. Defaults to the run id.
   */
  idPrefix?: string;
  /** direct (the Worker called the API) or container (an isolated run through the bridge). */
  mode?: ApiCallRow["mode"];
}

export function apiCallRows(calls: readonly ApiCallRecord[], who: CallAttribution): ApiCallRow[] {
  const prefix = who.idPrefix ?? who.runId;
  return calls.map((c, i) => ({
    id: `${prefix}:${String(i + 1).padStart(3, "0")}`,
    createdAt: c.at,
    channelId: who.channelId,
    senderId: who.senderId,
    sessionId: who.sessionId,
    runId: who.runId,
    purpose: c.purpose,
    mode: who.mode ?? "direct",
    model: c.model,
    inputTokens: c.inputTokens,
    outputTokens: c.outputTokens,
    cacheWriteTokens: c.cacheWriteTokens,
    cacheReadTokens: c.cacheReadTokens,
    latencyMs: c.latencyMs,
    stopReason: c.stopReason,
    status: c.status,
    error: c.error ?? null,
    costUsd: c.costUsd,
    cacheSavingsUsd: c.cacheSavingsUsd,
    webSearchRequests: c.webSearchRequests ?? 0,
    webFetchRequests: c.webFetchRequests ?? 0,
    codeExecutionRequests: c.codeExecutionRequests ?? 0,
  }));
}
