/**
 * Pipeline stage 7 as the sender's object runs it: budget check (`budgetStage`), then the agent turn with the
 * conversation's memory, turned into what the object stores (history, notes, summary) and what
 * D1 records (the run, one api_calls row per model request, feed events). The sender always
 * gets exactly one message back: the answer, a plain failure notice, or the budget notice.
 * Files the sender attached are fetched through the channel, kept in R2 and shown to Claude
 * (src/agent/media.ts); a file it cannot take ends the turn with a clear notice instead.
 */
import type { Attachment, ChannelAdapter, StagedFiles } from "../channels/shared/types";
import type { GatewayConfig } from "../config";
import type { Db } from "../db/client";
import type { apiCalls } from "../db/schema";
import { feedEvent, type FeedEvent } from "../db/feed-events";
import { sessionId } from "../objects/session-id";
import { budgetReply, checkBudget } from "./budget";
import { apiCallRows } from "./call-rows";
import type { ApprovalDecision, PausedTurn } from "./approvals";
import { keyringFor } from "../crypto/keyring";
import type { AttachmentFetcher } from "./images";
import { prepareMedia, type MediaRow, type MediaStore, type PreparedMedia } from "./media";
import { transcriberFor, type AiBinding } from "./transcribe";
import { mcpGrants } from "./mcp-servers";
import { mcpTurnTools } from "./mcp-ask-first";
import { activeHistory, loadAgentMemory, searchNotes, type SqlLike } from "./memory-store";
import { jobScheduler } from "./schedule-job";
import { conversationAgent, type AgentConfig } from "./runtime";
import type { AgentSettings } from "./settings";
import { trustTier } from "./trust";
import { sumUsage, type AgentMemory, type AgentRuntime, type ChatTurn, type MemoryUpdate, type RunRecord } from "./types";
import type { SenderPolicy } from "../lib/sender-policy";
import type { AgentFile } from "../lib/agent-files";

export interface AgentStageInput {
  env: AgentConfig;
  cfg: GatewayConfig;
  db: Db;
  /** The sender object's SQLite (history, summaries, notes). */
  sql: SqlLike;
  /** `adapter` and `config` (opened) let the turn fetch attachments that need the channel's credentials. */
  channel: {
    id: string;
    type: string;
    name: string;
    policy: SenderPolicy;
    agent: AgentSettings | null;
    adapter?: ChannelAdapter<unknown>;
    config?: unknown;
  };
  senderId: string;
  senderName?: string;
  text: string;
  /** What the adapter attached to the message (src/agent/media.ts). */
  attachments?: Attachment[];
  /** Where attachments are kept (the R2 bucket) and the Workers AI binding for voice notes, when the Worker has them. */
  media?: { store?: MediaStore; ai?: AiBinding; staged?: StagedFiles };
  /** The inbound message's id, which names its files. */
  messageId?: string;
  runId: string;
  now: number;
  /** Defaults to the runtime the configuration selects. */
  runtime?: AgentRuntime;
  /** The conversation as the caller holds it; read from `sql` when absent. */
  conversation?: { memory: AgentMemory; history: ChatTurn[] };
  /** The reply so far while the model writes, for channels that stream replies. */
  onText?: (textSoFar: string) => void;
  /** Continues a turn that paused for an approval, with the decision (the other fields as for the paused turn). */
  resume?: { paused: PausedTurn; decision: ApprovalDecision };
  /** How ask-first MCP servers are reached; the Worker's fetch when unset (tests give a fake). */
  mcpFetch?: typeof fetch;
}

export interface AgentStageOutput {
  /** `files`: what the agent sent with send_file (container mode), delivered after the text. */
  reply: { text: string; kind: "reply" | "notice"; files?: AgentFile[] };
  run?: RunRecord;
  apiCalls: (typeof apiCalls.$inferInsert)[];
  events: FeedEvent[];
  /** Turns to append to the history (the exchange, when the turn succeeded). */
  turns: ChatTurn[];
  memory: MemoryUpdate | null;
  overBudget: boolean;
  /** Set when the turn stopped at an "ask first" tool call: nothing else is final yet; the caller stores it and asks. */
  approval?: { paused: PausedTurn };
  /** One row per attached file (media_files), written with the message's record. */
  media?: MediaRow[];
}

/**
 * Stage 7's first step, in direct and container mode alike: over a daily cap the sender gets the
 * budget notice and no model is called. Null when the turn may run.
 */
export async function budgetStage(input: Pick<AgentStageInput, "db" | "cfg" | "channel" | "senderId" | "now">): Promise<AgentStageOutput | null> {
  const { channel, senderId, now } = input;
  const budget = await checkBudget(input.db, input.cfg, channel.id, senderId, now);
  if (budget.ok) return null;
  const detail = { scope: budget.scope, used: budget.used, limit: budget.limit, resetsAt: budget.resetsAt };
  return {
    reply: { text: budgetReply(budget.scope), kind: "notice" },
    apiCalls: [],
    turns: [],
    memory: null,
    overBudget: true,
    events: [feedEvent("budget.exceeded", channel.id, senderId, detail, now)],
  };
}

/** The turn itself, once `budgetStage` let it through. */
export async function agentStage(input: AgentStageInput): Promise<AgentStageOutput> {
  const { channel, senderId, now } = input;
  const runtime = input.runtime ?? conversationAgent.runtime(input.env);
  // The offline echo model cannot look at files: nothing is downloaded for it.
  const prepared = runtime.mode === "anthropic" && input.attachments?.length ? await mediaStage(input) : null;
  if (prepared?.kind === "refused") return mediaRefused(input, prepared);
  // The text as the model sees it is also what history keeps, so later requests repeat it byte for byte.
  const text = prepared?.notes.length ? `${input.text}\n${prepared.notes.join("\n")}` : input.text;
  const memory = input.conversation?.memory ?? loadAgentMemory(input.sql);
  const history = input.conversation?.history ?? activeHistory(input.sql, memory.summaryThroughSeq);
  const trust = trustTier(channel.type, channel.policy);
  const { grants, skipped: mcpSkipped } = await mcpGrants(input.db, await keyringFor(input.cfg), channel.agent?.mcpServers, trust);
  // Ask-first MCP tools are listed and called by the gateway; the rest stays with the connector.
  // (The offline echo model calls no tools: nothing is listed for it.)
  const mcp =
    runtime.mode === "anthropic"
      ? await mcpTurnTools(grants, channel.agent?.approvals?.askFirst ?? [], input.mcpFetch ?? ((i, init) => fetch(i, init)))
      : { connector: grants, direct: [], skipped: [] };
  const mcpServers = mcp.connector;
  const result = await runtime.runTurn({
    channelId: channel.id,
    channelType: channel.type,
    channelName: channel.name,
    senderId,
    senderName: input.senderName,
    trust,
    settings: channel.agent,
    ...(mcpServers.length ? { mcpServers } : {}),
    ...(mcp.direct.length ? { mcpTools: mcp.direct } : {}),
    history,
    memory,
    text,
    ...(prepared?.images.length ? { images: prepared.images } : {}),
    ...(input.onText ? { onText: input.onText } : {}),
    ...(prepared?.documents.length ? { documents: prepared.documents } : {}),
    capabilities: { scheduleJob: jobScheduler(input.db, channel.id, senderId), recallNotes: (query) => searchNotes(input.sql, query) },
    ...(channel.agent?.approvals ? { approvals: { askFirst: channel.agent.approvals.askFirst } } : {}),
    ...(input.resume ? { resume: input.resume } : {}),
  });
  if (!result.ok && result.reason === "approval")
    return { reply: { text: "", kind: "reply" }, apiCalls: [], events: [], turns: [], memory: null, overBudget: false, approval: { paused: result.paused } };

  const calls = result.calls ?? [];
  const usage = result.usage ?? sumUsage(calls);
  // Container runs (through the bridge) record their calls as mode "container".
  const apiCalls = apiCallRows(calls, { channelId: channel.id, senderId, sessionId: sessionId(channel.id, senderId), runId: input.runId, mode: "direct" });
  const at = Date.now();
  const events = (result.events ?? []).map((e) => feedEvent(e.kind, channel.id, senderId, { runId: input.runId, ...e.detail }, at));
  if (prepared?.skipped.length)
    events.push(
      feedEvent("agent.attachments_skipped", channel.id, senderId, { runId: input.runId, skipped: prepared.skipped, shown: prepared.images.length }, at),
    );
  if (mcpSkipped.length)
    events.push(feedEvent("agent.mcp_skipped", channel.id, senderId, { runId: input.runId, servers: mcpSkipped, reason: "token cannot be opened" }, at));
  for (const s of mcp.skipped)
    events.push(feedEvent("agent.mcp_skipped", channel.id, senderId, { runId: input.runId, servers: [s.server], reason: s.reason }, at));
  events.push(
    feedEvent(
      "agent.run",
      channel.id,
      senderId,
      {
        runId: input.runId,
        status: result.ok ? "ok" : "failed",
        model: result.model,
        latencyMs: result.latencyMs,
        calls: calls.length,
        ...usage,
        ...(result.ok ? {} : { error: result.error }),
      },
      at,
    ),
  );
  const run: RunRecord = {
    id: input.runId,
    status: result.ok ? "ok" : "failed",
    model: result.model,
    usage,
    latencyMs: result.latencyMs,
    ...(result.ok ? {} : { error: result.error }),
  };
  return {
    reply: { text: result.ok ? result.text : result.userMessage, kind: "reply", ...(result.ok && result.files?.length ? { files: result.files } : {}) },
    run,
    apiCalls,
    events,
    overBudget: false,
    ...(prepared ? { media: prepared.rows } : {}),
    turns: result.ok
      ? [
          { role: "user", content: text },
          { role: "assistant", content: result.text },
        ]
      : [],
    memory: result.memory ?? null,
  };
}

/** Files refused before any model call: the sender is told why, the admin sees which. */
export function mediaRefused(input: AgentStageInput, prepared: Extract<PreparedMedia, { kind: "refused" }>): AgentStageOutput {
  const { channel, senderId, now } = input;
  const detail = { messageId: input.messageId, files: prepared.rows.map((r) => ({ kind: r.kind, type: r.mediaType, size: r.sizeBytes, error: r.error })) };
  return {
    reply: { text: prepared.notice, kind: "notice" },
    apiCalls: [],
    turns: [],
    memory: null,
    overBudget: false,
    media: prepared.rows,
    events: [feedEvent("media.refused", channel.id, senderId, detail, now)],
  };
}

/** Checks, downloads, stores and reads the message's files (media.ts), for a direct or a container turn. */
export function mediaStage(input: AgentStageInput): Promise<PreparedMedia> {
  const { cfg, channel } = input;
  return prepareMedia(input.attachments ?? [], {
    fetchAttachment: attachmentFetcher(channel, input.now, input.media?.staged),
    store: input.media?.store,
    transcriber: transcriberFor(cfg, input.media?.ai, (i, init) => fetch(i, init)),
    limits: {
      imageBytes: cfg.MEDIA_MAX_IMAGE_BYTES,
      pdfBytes: cfg.MEDIA_MAX_PDF_BYTES,
      textBytes: cfg.MEDIA_MAX_TEXT_BYTES,
      audioBytes: cfg.MEDIA_MAX_AUDIO_BYTES,
    },
    channelId: channel.id,
    senderId: input.senderId,
    messageId: input.messageId ?? input.runId,
    now: input.now,
  });
}

/** Fetches through the channel's adapter, when it can; `fetch` is looked up per call so tests can intercept it. */
export function attachmentFetcher(channel: AgentStageInput["channel"], now: number, stagedFiles?: StagedFiles): AttachmentFetcher | undefined {
  const { adapter } = channel;
  const fetchAttachment = adapter?.fetchAttachment;
  if (!fetchAttachment) return undefined;
  const ctx = {
    channelId: channel.id,
    config: channel.config,
    publicUrl: "",
    now,
    fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init),
    ...(stagedFiles ? { stagedFiles } : {}),
  };
  return (attachment, maxBytes) => fetchAttachment.call(adapter, attachment, ctx, maxBytes);
}
