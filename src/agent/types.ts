/**
 * The agent runtime seen from the pipeline (stage 7): given the session's history, memory and
 * the new message, produce a reply, its usage, and one record per model call. Implementations:
 * the offline echo model (no ANTHROPIC_API_KEY) and the Claude runtime.
 */
import type { MessageParam } from "@anthropic-ai/sdk/resources/messages";
import type { AgentFile } from "../lib/agent-files";
import type { McpServerGrant } from "./mcp-request";
import type { AgentSettings } from "./settings";
import type { TrustTier } from "./trust";

export interface ChatTurn {
  role: "user" | "assistant";
  content: string;
  /** Row id in the session's history table; compaction records how far it summarised. */
  seq?: number;
}

/** What survives compaction: the running summary of older turns, and the agent's notes. */
export interface AgentMemory {
  summary: string | null;
  /** History rows up to this seq are summarised (kept in storage, no longer sent). */
  summaryThroughSeq: number;
  /** The newest notes (memory-store.ts CONTEXT_NOTES); `recall` searches all of them. */
  notes: string[];
  /** All notes stored, shown or not; `notes.length` when unknown. */
  noteCount?: number;
}

export interface MemoryUpdate {
  notesAdded: string[];
  /** Set when this turn compacted older history into a new summary. */
  summary?: { text: string; throughSeq: number; compactedTurns: number };
}

export interface TurnRequest {
  channelId: string;
  channelType: string;
  channelName?: string;
  senderId: string;
  senderName?: string;
  /** Decides the default tools; `public` (least privilege) when unset. */
  trust?: TrustTier;
  /** The channel's overrides of model, max tokens, system prompt and tools (server tools included). */
  settings?: AgentSettings | null;
  /** Remote MCP servers this turn may use, already filtered by the sender's trust tier (src/agent/mcp-servers.ts). */
  mcpServers?: McpServerGrant[];
  /** MCP tools that ask first, which the gateway calls itself (mcp-ask-first.ts); offered beside the gateway's own. */
  mcpTools?: McpDirectTool[];
  /** Model for this turn only (scheduled jobs); wins over `settings.model`. */
  model?: string;
  /** What the gateway can do for this sender besides answering; tools needing a missing one are not offered. */
  capabilities?: { scheduleJob?: ScheduleJob; recallNotes?: RecallNotes };
  /** Earlier turns not yet summarised, oldest first, not including `text`. */
  history: ChatTurn[];
  memory?: AgentMemory;
  /** The new message from the sender (untrusted). */
  text: string;
  /**
   * Pictures sent with the new message, shown to the model on this turn only: history keeps
   * the text (with its `[photo]` marker), so earlier requests stay byte-identical prefixes.
   */
  images?: TurnImage[];
  /**
   * The reply so far, each time the model has written more (streamed replies, docs/streaming.md).
   * A retried or later step may start over with shorter text; the finished reply is `TurnResult.text`.
   */
  onText?: (textSoFar: string) => void;
  /** Present when the turn may pause at an "ask first" tool call (approvals.ts); without it such calls are refused. */
  approvals?: ApprovalGate;
  /** Continues a paused turn with its decision; the other fields are what the paused turn was given. */
  resume?: { paused: PausedTurn; decision: ApprovalDecision };
  /** PDFs and text files sent with the new message, as document blocks; this turn only, like images. */
  documents?: TurnDocument[];
}

/** One PDF (base64) or text file (its text) for a document content block. */
export interface TurnDocument {
  kind: "pdf" | "text";
  data: string;
  /** The file name, shown to the model as the document's title. */
  title?: string;
}

/** One image for an image content block. */
export interface TurnImage {
  mediaType: "image/jpeg" | "image/png" | "image/gif" | "image/webp";
  /** The bytes, base64-encoded. */
  data: string;
}

export interface TurnUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
}

/** One request to the model (an attempt: a retried request is two calls). */
export interface ApiCallRecord {
  at: number;
  purpose: "turn" | "compaction";
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
  latencyMs: number;
  /** The model's stop reason; null when the call failed. */
  stopReason: string | null;
  status: "ok" | "error";
  error?: string;
  costUsd: number;
  cacheSavingsUsd: number;
  /** Server tool uses in this call (web search and fetch as the API's usage reports them; code runs counted from the content). */
  webSearchRequests?: number;
  webFetchRequests?: number;
  codeExecutionRequests?: number;
}

/** Something the admin should see on the feed (retries, compaction, errors). */
export interface AgentEvent {
  kind: string;
  detail: Record<string, unknown>;
}

interface TurnOutcome {
  model: string;
  latencyMs: number;
  /** Every model request of the turn, failed attempts included (none for the echo model). */
  calls?: ApiCallRecord[];
  /** Retries, tool uses, compaction and errors, for the live feed. */
  events?: AgentEvent[];
  /** Notes and summary to persist with the turn, whether it succeeded or not. */
  memory?: MemoryUpdate;
}

export type TurnResult =
  /** `files`: what code execution created in the turn, downloaded with the Files API (docs/media.md). */
  | (TurnOutcome & { ok: true; text: string; usage: TurnUsage; files?: AgentFile[] })
  /** `userMessage` is what the sender is told; `error` is for the admin; `usage` is what the failed turn still cost. */
  | (TurnOutcome & { ok: false; error: string; userMessage: string; usage?: TurnUsage; reason?: "unavailable" | "busy" })
  /** Stopped at an "ask first" tool call (only when the request had `approvals`): the caller stores `paused` and resumes with the decision. */
  | (TurnOutcome & { ok: false; reason: "approval"; paused: PausedTurn; error: string; userMessage: string; usage?: TurnUsage });

export interface AgentRuntime {
  /** Model name shown on runs and /api/health. */
  readonly model: string;
  /** `offline-echo` when no model key is configured. */
  readonly mode: "anthropic" | "offline-echo";
  runTurn(request: TurnRequest): Promise<TurnResult>;
}

export const ZERO_USAGE: TurnUsage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 };

export function sumUsage(calls: readonly ApiCallRecord[]): TurnUsage {
  const u = { ...ZERO_USAGE };
  for (const c of calls) {
    u.inputTokens += c.inputTokens;
    u.outputTokens += c.outputTokens;
    u.cacheReadTokens += c.cacheReadTokens;
    u.cacheWriteTokens += c.cacheWriteTokens;
    u.costUsd += c.costUsd;
  }
  return u;
}

export interface ScheduleJobInput {
  name: string;
  /** Five-field cron expression. */
  cron: string;
  /** IANA zone; UTC when unset. */
  timezone?: string;
  /** What the agent is asked each time. */
  prompt: string;
}

export type ScheduleJobResult = { ok: true; jobId: string; nextRuns: number[] } | { ok: false; error: string };

/** Searches this sender's saved notes (memory-store.ts searchNotes), best match first. */
export type RecallNotes = (query: string) => { text: string; at: number }[];

/** Creates a scheduler job whose answers go to the current sender (src/agent/schedule-job.ts). */
export type ScheduleJob = (input: ScheduleJobInput) => Promise<ScheduleJobResult>;

/** What one agent turn leaves as its D1 `runs` row (written with the message's record). */
export interface RunRecord {
  id: string;
  status: "ok" | "failed";
  model: string;
  usage: TurnUsage;
  latencyMs: number;
  error?: string;
}

/** An MCP tool the gateway calls itself (mcp-ask-first.ts), offered to the model as a client tool; every call asks first. */
export interface McpDirectTool {
  /** `mcp__<server>__<tool>`: the name the model calls it by. */
  name: string;
  server: string;
  tool: string;
  description: string;
  inputSchema: Record<string, unknown>;
  run(input: unknown): Promise<{ content: string; isError?: boolean }>;
}

/** Given to a turn that may pause for approvals: the tools that ask first. */
export interface ApprovalGate {
  askFirst: readonly string[];
}

/** One tool call of the paused step: those that ran already carry their result. */
export interface PausedToolCall {
  id: string;
  name: string;
  input: unknown;
  /** Set when the call did not need a decision and already ran. */
  result?: { content: string; isError?: boolean };
}

/** Everything needed to continue a turn after the decision, kept in the sender's object. */
export interface PausedTurn {
  model: string;
  /** The step whose tool calls wait. */
  step: number;
  /** The messages after the request's base (history + new message): assistant turns and tool results. */
  tail: MessageParam[];
  calls: ApiCallRecord[];
  events: AgentEvent[];
  memory: MemoryUpdate;
  toolCalls: PausedToolCall[];
  /** Model time spent before the pause, for the run's latency. */
  latencyMs: number;
}

export type ApprovalDecision =
  | { kind: "approved"; by: string }
  | { kind: "denied"; by: string }
  /** Nobody decided within the timeout. */
  | { kind: "expired"; afterSeconds: number };
