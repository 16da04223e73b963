/**
 * Pipeline stage 7 in container mode, the gateway's half: which bridge runs the turn, the
 * turn as the container receives it (the same cache-stable request prefix as direct mode, with
 * the container's tools), and the bridge's result turned into what the sender's object stores
 * and D1 records — one api_calls row per model request, marked `container`.
 */
import type { ContentBlock } from "@anthropic-ai/sdk/resources/messages";
import type { GatewayConfig } from "../config";
import { feedEvent } from "../db/feed-events";
import { sessionId } from "../objects/session-id";
import { apiCallRows } from "./call-rows";
import { compactedThrough, compactionRequest, planCompaction } from "./compaction";
import type { ContainerTurnResult, ContainerTurnSpec } from "../protocol/container";
import { containerTools } from "./container-tools";
import { withoutAskFirstMcp } from "./mcp-ask-first";
import { toolDefinitions, toolsFor } from "./tools";
import type { ApiCallRecord, RunRecord } from "./types";
import type { AgentStageOutput } from "./pipeline-turn";
import type { ContainerMcpServer, ContainerServerTool } from "../protocol/container-server-tools";
import { costOf } from "./pricing";
import { replyText } from "./reply-text";
import { serverToolDefinitions } from "./server-tools";
import { buildRequest, type PromptInput } from "./prompt";
import { USER_MESSAGES } from "./retry-policy";
import type { AgentSettings } from "./settings";
import { sumUsage } from "./types";

export type ContainerTarget = { mode: "direct" } | { mode: "container"; bridgeId: string } | { mode: "misconfigured"; error: string };

/** The channel's `agent.container` wins over AGENT_CONTAINER_MODE; the bridge: the channel's choice, its own bridge, the global one. */
export function containerTarget(
  cfg: Pick<GatewayConfig, "AGENT_CONTAINER_MODE" | "AGENT_CONTAINER_BRIDGE">,
  agent: AgentSettings | null,
  channelConfig: unknown,
): ContainerTarget {
  if (!(agent?.container ?? cfg.AGENT_CONTAINER_MODE)) return { mode: "direct" };
  const own = typeof channelConfig === "object" && channelConfig !== null ? (channelConfig as { bridgeId?: unknown }).bridgeId : undefined;
  const bridgeId = agent?.containerBridgeId ?? (typeof own === "string" ? own : undefined) ?? cfg.AGENT_CONTAINER_BRIDGE;
  if (!bridgeId)
    return {
      mode: "misconfigured",
      error: "container mode is on but no bridge is set: give the channel agent.containerBridgeId or set AGENT_CONTAINER_BRIDGE",
    };
  return { mode: "container", bridgeId };
}

/** What the prompt builder needs, less the model and tools, which the container turn decides. */
export interface ContainerSpecInput
  extends Pick<
    PromptInput,
    "systemPrompt" | "channelType" | "channelName" | "senderId" | "senderName" | "trust" | "memory" | "history" | "text" | "images" | "documents"
  > {
  cfg: Pick<GatewayConfig, "AGENT_MODEL" | "AGENT_MAX_TOKENS" | "AGENT_MAX_STEPS" | "AGENT_HISTORY_TOKEN_BUDGET" | "AGENT_CONTAINER_RUN_TOKEN_BUDGET">;
  settings: AgentSettings | null;
  /** The MCP servers the turn may use (mcpSealedGrants: tier and channel already applied), tokens sealed. */
  mcpServers?: ContainerMcpServer[];
}

/** Stands in the context block for the summary the bridge is about to write (no text a person could send has it). */
export const SUMMARY_MARKER = "\u2063LOOPGATE-NEW-SUMMARY\u2063";

/**
 * The turn for the container. History past its budget is compacted as in a direct turn, but
 * the summarising call is the bridge's (in container mode only the bridge holds the key): the
 * spec carries the request, the context block a marker the bridge replaces with the summary,
 * and only the kept turns; the result brings the summary back for the sender's object to store.
 * Its tools: the container's own, and the gateway's (notes, recall, schedule_job, the clock)
 * as the trust tier and allow list grant them, which the sender's object runs when asked.
 * Server tools and MCP servers are chosen as for a direct turn (the channel's settings, the
 * trust tier) but kept out of `tools`: the bridge's proxy adds them to each request itself.
 */
export function containerSpec(i: ContainerSpecInput): ContainerTurnSpec {
  const plan = planCompaction(i.history, i.cfg.AGENT_HISTORY_TOKEN_BUDGET);
  const history = plan?.kept ?? i.history;
  const model = i.settings?.model ?? i.cfg.AGENT_MODEL;
  // Both capabilities exist in container mode: the sender's object runs the calls (sender-session-gateway-tools.ts).
  // A tool marked "ask first" is left out, gateway and MCP tools alike: a container run cannot wait
  // for a person's decision, and offering it would run it without one (docs/agent.md#tool-approvals).
  const askFirst = new Set<string>(i.settings?.approvals?.askFirst ?? []);
  const mcpServers = withoutAskFirstMcp(i.mcpServers ?? [], [...askFirst]);
  const gatewayTools = toolDefinitions(toolsFor(i.trust, i.settings?.tools, { scheduleJob: true, recallNotes: true })).filter((t) => !askFirst.has(t.name));
  const tools = [...containerTools(i.trust, i.settings?.tools), ...gatewayTools].sort((a, b) => a.name.localeCompare(b.name));
  // The same definitions a direct turn sends; the SDK's types allow nulls the spec's schema does not need.
  const serverTools = serverToolDefinitions(i.settings?.serverTools, i.trust) as unknown as ContainerServerTool[];
  const request = buildRequest({
    model,
    maxTokens: i.settings?.maxTokens ?? i.cfg.AGENT_MAX_TOKENS,
    systemPrompt: i.settings?.systemPrompt ?? i.systemPrompt,
    tools,
    channelType: i.channelType,
    channelName: i.channelName,
    senderId: i.senderId,
    senderName: i.senderName,
    trust: i.trust,
    memory: plan ? { ...i.memory, summary: SUMMARY_MARKER } : i.memory,
    history,
    text: i.text,
    ...(i.images?.length ? { images: i.images } : {}),
    ...(i.documents?.length ? { documents: i.documents } : {}),
  });
  return {
    model: request.model,
    maxTokens: request.max_tokens,
    maxSteps: i.cfg.AGENT_MAX_STEPS,
    tokenBudget: i.cfg.AGENT_CONTAINER_RUN_TOKEN_BUDGET,
    system: request.system as unknown as Record<string, unknown>[],
    messages: request.messages as unknown as Record<string, unknown>[],
    tools: (request.tools ?? []) as unknown as Record<string, unknown>[],
    ...(gatewayTools.length ? { gatewayTools: gatewayTools.map((t) => t.name) } : {}),
    ...(serverTools.length ? { serverTools } : {}),
    ...(mcpServers.length ? { mcpServers: mcpServers.sort((a, b) => a.name.localeCompare(b.name)) } : {}),
    ...(plan
      ? {
          compaction: {
            request: compactionRequest(model, i.memory.summary, plan) as unknown as Record<string, unknown>,
            marker: SUMMARY_MARKER,
            fallback: i.memory.summary ?? "",
            throughSeq: compactedThrough(plan),
            compactedTurns: plan.older.length,
          },
        }
      : {}),
  };
}

const SENDER_MESSAGES: Record<Exclude<ContainerTurnResult["outcome"], "answered">, string> = {
  timeout: "Sorry, that took too long: the run was stopped before it finished. Please try a smaller request.",
  budget: "Sorry, that needed more work than one message is allowed. Please try a smaller request.",
  expired: "Sorry, the assistant could not get to your message in time. Please try again in a few minutes.",
  interrupted: "Sorry, the assistant was restarted while working on your message. Please send it again.",
  cancelled: "Sorry, the assistant could not get to your message in time. Please try again in a few minutes.",
  failed: USER_MESSAGES.unavailable,
  quota: "Sorry, your workspace is full. Please ask the admin to make room or raise the quota.",
};

/** The sender's words for a refused run: how full, so they can tell the admin (docs/containers.md, "Workspace quota"). */
export function workspaceFullMessage(usedBytes: number, quotaBytes: number): string {
  return `Sorry, your workspace is full: ${megabytes(usedBytes)} MB of ${megabytes(quotaBytes)} MB. Please ask the admin to make room or raise the quota.`;
}

function megabytes(bytes: number): string {
  const value = bytes / (1024 * 1024);
  return value >= 10 ? String(Math.round(value)) : value.toFixed(1);
}

/**
 * The answer as a direct turn's is (claude.ts): the blocks through reply-text.ts, so citations
 * from search and fetch become numbered sources; the runner's plain text when no blocks came.
 */
function answerText(result: ContainerTurnResult): string {
  if (!result.answer) return result.text ?? "";
  let text = replyText(result.answer.blocks as unknown as ContentBlock[]);
  if (result.answer.stopReason === "max_tokens") text = `${text}\n[…the answer was cut off at the length limit]`.trim();
  if (!text) text = result.answer.stopReason === "refusal" ? "Sorry, I can't help with that." : "(no answer)";
  return text;
}

function senderMessage(result: ContainerTurnResult): string {
  if (result.outcome === "answered") return answerText(result);
  if (result.outcome === "quota" && result.workspace) return workspaceFullMessage(result.workspace.usedBytes, result.workspace.quotaBytes);
  return SENDER_MESSAGES[result.outcome];
}

export interface ContainerOutputInput {
  channelId: string;
  senderId: string;
  runId: string;
  bridgeId: string;
  model: string;
  /** The sender's text as the model saw it; history keeps it with the answer. */
  text: string;
  dispatchedAt: number;
  result: ContainerTurnResult;
}

export function containerStageOutput(i: ContainerOutputInput): AgentStageOutput {
  const { result, channelId, senderId, runId } = i;
  const calls: ApiCallRecord[] = result.calls.map((c) => {
    const cost = costOf(c.model, c);
    return {
      at: c.at,
      purpose: c.purpose ?? "turn",
      model: c.model,
      inputTokens: c.inputTokens,
      outputTokens: c.outputTokens,
      cacheWriteTokens: c.cacheWriteTokens,
      cacheReadTokens: c.cacheReadTokens,
      latencyMs: c.latencyMs,
      stopReason: c.stopReason,
      status: c.status,
      ...(c.error ? { error: c.error } : {}),
      costUsd: cost.costUsd,
      cacheSavingsUsd: cost.cacheSavingsUsd,
      // Counted and priced (costOf above) exactly as a direct turn's calls are (model-call.ts).
      webSearchRequests: c.webSearchRequests ?? 0,
      webFetchRequests: c.webFetchRequests ?? 0,
      codeExecutionRequests: c.codeExecutionRequests ?? 0,
    };
  });
  const usage = sumUsage(calls);
  const ok = result.outcome === "answered";
  const at = Date.now();
  const latencyMs = at - i.dispatchedAt;
  const detail = {
    runId,
    bridgeId: i.bridgeId,
    outcome: result.outcome,
    steps: result.steps,
    toolCalls: result.toolCalls,
    ...(result.files?.length ? { files: result.files.map((f) => ({ name: f.name, mediaType: f.mediaType, size: f.size })) } : {}),
    queuedMs: result.queuedMs,
    runMs: result.runMs,
    ...(result.error ? { error: result.error } : {}),
    ...(result.workspace ? { workspaceBytes: result.workspace.usedBytes, workspaceQuotaBytes: result.workspace.quotaBytes } : {}),
  };
  const killed = result.outcome === "timeout" || result.outcome === "cancelled";
  const error = ok ? undefined : (result.error ?? result.outcome);
  const run: RunRecord = { id: runId, status: ok ? "ok" : "failed", model: i.model, usage, latencyMs, ...(error ? { error } : {}) };
  return {
    reply: {
      text: senderMessage(result),
      kind: "reply",
      ...(ok && result.files?.length ? { files: result.files } : {}),
    },
    run,
    apiCalls: apiCallRows(calls, { channelId, senderId, sessionId: sessionId(channelId, senderId), runId, mode: "container" }),
    events: [
      feedEvent(killed ? "container.killed" : "container.finished", channelId, senderId, detail, at),
      // Each server tool use, as a direct turn reports it (claude.ts); the step is the turn call's number.
      ...result.calls
        .filter((c) => c.purpose !== "compaction")
        .flatMap((c, i) =>
          (c.serverTools ?? []).map((tool) => feedEvent("agent.server_tool", channelId, senderId, { runId, mode: "container", tool, step: i + 1 }, at)),
        ),
      // Files code execution created that the bridge could not download or that did not fit, as a direct turn reports them.
      ...(ok ? (result.skippedFiles ?? []) : []).map((s) =>
        feedEvent("agent.file_skipped", channelId, senderId, { runId, mode: "container", fileId: s.fileId, reason: s.reason }, at),
      ),
      ...(result.compaction
        ? [
            feedEvent(
              "agent.compacted",
              channelId,
              senderId,
              {
                runId,
                mode: "container",
                compactedTurns: result.compaction.compactedTurns,
                throughSeq: result.compaction.throughSeq,
                summaryChars: result.compaction.summary.length,
              },
              at,
            ),
          ]
        : []),
      feedEvent(
        "agent.run",
        channelId,
        senderId,
        { runId, mode: "container", status: run.status, model: i.model, latencyMs, calls: calls.length, ...usage, ...(error ? { error } : {}) },
        at,
      ),
    ],
    turns: ok
      ? [
          { role: "user", content: i.text },
          { role: "assistant", content: answerText(result) },
        ]
      : [],
    // The summary is kept even when the turn failed: the model call that wrote it succeeded.
    memory: result.compaction
      ? {
          notesAdded: [],
          summary: { text: result.compaction.summary, throughSeq: result.compaction.throughSeq, compactedTurns: result.compaction.compactedTurns },
        }
      : null,
    overBudget: false,
  };
}
