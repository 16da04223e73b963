/**
 * Pipeline stage 7 in container mode, the gateway's half: which bridge runs the turn, the
 * turn as the container receives it (the same cache-stable request prefix as direct mode, with
 * the container's tools), and the bridge's result turned into what the sender's object stores
 * and D1 records — one api_calls row per model request, marked `container`.
 */
import type { GatewayConfig } from "../config";
import { feedEvent } from "../db/feed-events";
import { sessionId } from "../objects/session-id";
import { apiCallRows } from "./call-rows";
import { planCompaction } from "./compaction";
import type { ContainerTurnResult, ContainerTurnSpec } from "../protocol/container";
import { containerTools } from "./container-tools";
import type { ApiCallRecord, RunRecord } from "./types";
import type { AgentStageOutput } from "./pipeline-turn";
import { costOf } from "./pricing";
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
  extends Pick<PromptInput, "systemPrompt" | "channelType" | "channelName" | "senderId" | "senderName" | "trust" | "memory" | "history" | "text"> {
  cfg: Pick<GatewayConfig, "AGENT_MODEL" | "AGENT_MAX_TOKENS" | "AGENT_MAX_STEPS" | "AGENT_HISTORY_TOKEN_BUDGET" | "AGENT_CONTAINER_RUN_TOKEN_BUDGET">;
  settings: AgentSettings | null;
}

/**
 * The turn for the container. History is not compacted here (that needs a model call, and in
 * container mode only the bridge holds the key): the oldest turns beyond the history budget
 * are left out of the request — they stay in storage, and the summary and notes still apply.
 */
export function containerSpec(i: ContainerSpecInput): ContainerTurnSpec {
  const history = planCompaction(i.history, i.cfg.AGENT_HISTORY_TOKEN_BUDGET)?.kept ?? i.history;
  const request = buildRequest({
    model: i.settings?.model ?? i.cfg.AGENT_MODEL,
    maxTokens: i.settings?.maxTokens ?? i.cfg.AGENT_MAX_TOKENS,
    systemPrompt: i.settings?.systemPrompt ?? i.systemPrompt,
    tools: containerTools(i.trust, i.settings?.tools),
    channelType: i.channelType,
    channelName: i.channelName,
    senderId: i.senderId,
    senderName: i.senderName,
    trust: i.trust,
    memory: i.memory,
    history,
    text: i.text,
  });
  return {
    model: request.model,
    maxTokens: request.max_tokens,
    maxSteps: i.cfg.AGENT_MAX_STEPS,
    tokenBudget: i.cfg.AGENT_CONTAINER_RUN_TOKEN_BUDGET,
    system: request.system as unknown as Record<string, unknown>[],
    messages: request.messages as unknown as Record<string, unknown>[],
    tools: (request.tools ?? []) as unknown as Record<string, unknown>[],
  };
}

const SENDER_MESSAGES: Record<Exclude<ContainerTurnResult["outcome"], "answered">, string> = {
  timeout: "Sorry, that took too long: the run was stopped before it finished. Please try a smaller request.",
  budget: "Sorry, that needed more work than one message is allowed. Please try a smaller request.",
  expired: "Sorry, the assistant could not get to your message in time. Please try again in a few minutes.",
  interrupted: "Sorry, the assistant was restarted while working on your message. Please send it again.",
  cancelled: "Sorry, the assistant could not get to your message in time. Please try again in a few minutes.",
  failed: USER_MESSAGES.unavailable,
};

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
      purpose: "turn",
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
  };
  const killed = result.outcome === "timeout" || result.outcome === "cancelled";
  const error = ok ? undefined : (result.error ?? result.outcome);
  const run: RunRecord = { id: runId, status: ok ? "ok" : "failed", model: i.model, usage, latencyMs, ...(error ? { error } : {}) };
  return {
    reply: {
      text: ok ? (result.text ?? "") : SENDER_MESSAGES[result.outcome as keyof typeof SENDER_MESSAGES],
      kind: "reply",
      ...(ok && result.files?.length ? { files: result.files } : {}),
    },
    run,
    apiCalls: apiCallRows(calls, { channelId, senderId, sessionId: sessionId(channelId, senderId), runId, mode: "container" }),
    events: [
      feedEvent(killed ? "container.killed" : "container.finished", channelId, senderId, detail, at),
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
          { role: "assistant", content: result.text ?? "" },
        ]
      : [],
    memory: null,
    overBudget: false,
  };
}
