/**
 * Container runs over the bridge link. In container mode the sender's object does not call the
 * model: it sends the turn (system prompt, history, tools, limits) to a bridge, which runs it
 * in a fresh, network-less container and answers with the result and the usage of every model
 * call it proxied. Turns and results are acknowledged and re-sent like inbound messages and
 * replies, so a dropped link or a restarted bridge loses neither.
 *
 *   hub → bridge   turn              the run to do (re-sent until accepted)
 *   bridge → hub   turn.accepted     written to the bridge's disk
 *   bridge → hub   turn.event        queued / started / tool call (live feed only)
 *   bridge → hub   turn.tool         the model asked for one of the gateway's own tools (notes, recall,
 *                                    schedule_job, the clock): the sender's object runs it
 *   hub → bridge   turn.tool.result  its outcome, for the container's next model request
 *   bridge → hub   turn.result       the outcome (re-sent until acknowledged)
 *   hub → bridge   turn.result.ack   the sender's object has stored it
 *   hub → bridge   turn.cancel       the gateway stopped waiting: kill or drop the run
 *   hub → bridge   workspace.remove  the admin deleted a sender: remove their workspace volume
 *                                    (re-sent on every connection until the bridge reports it gone)
 *   bridge → hub   workspace.removed the volume is gone (or never existed)
 */
import * as z from "zod";
import { agentFiles } from "../lib/agent-files";
import { containerMcpServer, containerServerTool } from "./container-server-tools";

/** Tools the agent has inside its container, all confined to the container and its /workspace. */
export const CONTAINER_TOOL_NAMES = ["list_files", "read_file", "run_command", "send_file", "write_file"] as const;
export type ContainerToolName = (typeof CONTAINER_TOOL_NAMES)[number];
/** Skipped code-execution files a result names; past this, the rest are counted in `error`. */
export const MAX_SKIPPED_FILES = 20;
/** Most gateway tools a turn can be offered besides the container's own (src/agent/tools.ts). */
const MAX_GATEWAY_TOOLS = 8;

const id = z.string().min(1).max(100);
const json = z.record(z.string(), z.unknown());

/** What the container needs to run the turn: the first request's parts and the run's limits. */
export const containerTurnSpec = z.object({
  model: z.string().min(1).max(100),
  /** Output cap per model call. */
  maxTokens: z.number().int().min(1).max(128_000),
  /** Model calls in the run, tool steps included; the last must answer without tools. */
  maxSteps: z.number().int().min(1).max(50),
  /** Tokens (uncached input + cache writes + output) the whole run may use; the bridge enforces it. */
  tokenBudget: z.number().int().min(1),
  system: z.array(json).max(8),
  messages: z.array(json).min(1).max(20_000),
  tools: z.array(json).max(CONTAINER_TOOL_NAMES.length + MAX_GATEWAY_TOOLS),
  /**
   * Which of `tools` are the gateway's own: the runner does not run them, it relays each call
   * (turn.tool) and the sender's object runs it with the conversation's notes and jobs.
   */
  gatewayTools: z.array(z.string().min(1).max(64)).max(MAX_GATEWAY_TOOLS).optional(),
  /**
   * Server tools (web search, web fetch, code execution) the turn may use, as `tools` entries.
   * Not the container's: the bridge's proxy adds them to every model request of the run and
   * refuses any the container puts in itself (docs/containers.md, "Server tools and MCP").
   */
  serverTools: z.array(containerServerTool).max(3).optional(),
  /**
   * MCP servers the turn may use, added by the bridge's proxy as `mcp_servers`. The token is
   * sealed in the hub's queue and opened only as the frame goes out; the bridge never writes it
   * to disk or hands it to the container.
   */
  mcpServers: z.array(containerMcpServer).max(20).optional(),
  /**
   * History past its budget: the bridge (which holds the key) first asks the model for the new
   * running summary with `request`, then puts it where `marker` stands in `system` (the previous
   * summary, `fallback`, when that call fails), and reports it in the result for the gateway to store.
   */
  compaction: z
    .object({
      request: json,
      marker: z.string().min(8).max(100),
      fallback: z.string().max(20_000),
      throughSeq: z.number().int().min(1),
      compactedTurns: z.number().int().min(1),
    })
    .optional(),
});
export type ContainerTurnSpec = z.infer<typeof containerTurnSpec>;

export const containerTurnFrame = z.object({
  t: z.literal("turn"),
  /** The run id; stable across re-sends, the bridge dedupes on it. */
  id,
  channelId: id,
  senderId: z.string().min(1).max(200),
  /** Epoch ms after which the gateway no longer waits: a run still queued then is dropped. */
  expiresAt: z.number().int(),
  spec: containerTurnSpec,
});
export type ContainerTurnFrame = z.infer<typeof containerTurnFrame>;

/** One model request the bridge made for the container (an attempt). Cost is priced by the gateway. */
export const containerCall = z.object({
  at: z.number().int(),
  model: z.string().max(100),
  inputTokens: z.number().int().min(0),
  outputTokens: z.number().int().min(0),
  cacheWriteTokens: z.number().int().min(0),
  cacheWrite1hTokens: z.number().int().min(0),
  cacheReadTokens: z.number().int().min(0),
  latencyMs: z.number().int().min(0),
  stopReason: z.string().max(50).nullable(),
  status: z.enum(["ok", "error"]),
  /** A call for the history's summary (spec.compaction) rather than the turn; "turn" when unset. */
  purpose: z.enum(["turn", "compaction"]).optional(),
  error: z.string().max(1000).optional(),
  /** Server tool uses in this call: web search and fetch from the API's usage, code runs counted from the content. */
  webSearchRequests: z.number().int().min(0).optional(),
  webFetchRequests: z.number().int().min(0).optional(),
  codeExecutionRequests: z.number().int().min(0).optional(),
  /** The server tools (`server_tool_use` names) the model used in this call, for the feed's `agent.server_tool`. */
  serverTools: z.array(z.string().min(1).max(64)).max(100).optional(),
});
export type ContainerCall = z.infer<typeof containerCall>;

/**
 * answered: the model answered; failed: the model or the runner failed; timeout: killed at
 * CONTAINER_TIMEOUT_MS; budget: the run's token budget ran out; interrupted: the bridge
 * restarted mid-run; expired: still queued when the gateway stopped waiting; cancelled: the
 * gateway cancelled it; quota: the sender's workspace was over CONTAINER_WORKSPACE_QUOTA_MB, so
 * the model was not called.
 */
export const containerOutcomes = ["answered", "failed", "timeout", "budget", "interrupted", "expired", "cancelled", "quota"] as const;
export type ContainerOutcome = (typeof containerOutcomes)[number];

/**
 * One block of the answer as the gateway formats it (src/agent/reply-text.ts): text with its
 * citations, a fetched page's URL and title, and of every other block (a server tool's call or
 * result) only its type, which is all the formatting needs to start a new paragraph.
 */
export const containerAnswerBlock = z.object({
  type: z.string().min(1).max(64),
  text: z.string().max(200_000).optional(),
  citations: z.array(json).max(200).optional(),
  content: z
    .object({ type: z.string().max(64), url: z.string().max(4_000), content: z.object({ title: z.string().max(2_000).nullable().optional() }) })
    .optional(),
});
export type ContainerAnswerBlock = z.infer<typeof containerAnswerBlock>;

export const containerTurnResult = z.object({
  outcome: z.enum(containerOutcomes),
  /** The answer (outcome answered), as plain text. */
  text: z.string().max(200_000).optional(),
  /**
   * The answer's blocks (outcome answered) and the last stop reason, for the gateway to format
   * as it formats a direct turn's answer: citations become numbered sources.
   */
  answer: z.object({ blocks: z.array(containerAnswerBlock).max(1_000), stopReason: z.string().max(50).nullable() }).optional(),
  /**
   * Files delivered after the text (outcome answered, docs/media.md): those the agent sent with
   * `send_file`, then those the code-execution server tool created, downloaded by the bridge.
   */
  files: agentFiles.optional(),
  /** Files code execution created that the bridge could not download or that did not fit, and why (feed: agent.file_skipped). */
  skippedFiles: z
    .array(z.object({ fileId: z.string().min(1).max(200), reason: z.string().max(500) }))
    .max(MAX_SKIPPED_FILES)
    .optional(),
  /** For the admin: what went wrong. Never shown to the sender as is. */
  error: z.string().max(2000).optional(),
  calls: z.array(containerCall).max(500),
  steps: z.number().int().min(0),
  toolCalls: z.number().int().min(0),
  /** The new running summary, when the spec asked for compaction and the model wrote one. */
  compaction: z.object({ summary: z.string().min(1).max(20_000), throughSeq: z.number().int().min(1), compactedTurns: z.number().int().min(1) }).optional(),
  /** The workspace's size as the runner measured it (with a quota): before the run when refused, else after it. */
  workspace: z.object({ usedBytes: z.number().int().min(0), quotaBytes: z.number().int().min(0) }).optional(),
  /** Time waiting for a free container slot, and running. */
  queuedMs: z.number().int().min(0),
  runMs: z.number().int().min(0),
});
export type ContainerTurnResult = z.infer<typeof containerTurnResult>;

export const containerEventKinds = ["container.queued", "container.started", "container.tool"] as const;

/** A deleted sender's workspace to remove; `id` is the removal's, stable across re-sends. */
export const workspaceRemoveFrame = z.object({ t: z.literal("workspace.remove"), id, channelId: id, senderId: z.string().min(1).max(200) });
export type WorkspaceRemoveFrame = z.infer<typeof workspaceRemoveFrame>;

/** Bridge → hub frames of container runs (added to bridgeFrame). */
export const containerBridgeFrames = [
  z.object({ t: z.literal("turn.accepted"), id }),
  z.object({ t: z.literal("turn.event"), id, kind: z.enum(containerEventKinds), detail: json }),
  z.object({ t: z.literal("turn.result"), id, result: containerTurnResult }),
  z.object({ t: z.literal("turn.tool"), id, callId: id, name: z.string().min(1).max(64), input: z.unknown() }),
  z.object({ t: z.literal("workspace.removed"), id }),
] as const;

/** Hub → bridge frames of container runs (added to hubFrame). */
export const containerHubFrames = [
  containerTurnFrame,
  z.object({ t: z.literal("turn.result.ack"), id }),
  z.object({ t: z.literal("turn.cancel"), id }),
  z.object({ t: z.literal("turn.tool.result"), id, callId: id, content: z.string().max(100_000), isError: z.boolean().optional() }),
  workspaceRemoveFrame,
] as const;

export type ContainerBridgeFrame = z.infer<(typeof containerBridgeFrames)[number]>;
export type ContainerHubFrame = z.infer<(typeof containerHubFrames)[number]>;
