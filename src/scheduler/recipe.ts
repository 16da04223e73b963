/**
 * A job's recipe: ordered steps, each a prompt (optionally with its own model), run as one
 * conversation so every step sees the earlier steps' prompts and outputs. The last step's
 * output is the run's result.
 */
import type { TrustTier } from "../agent/trust";
import type { AgentRuntime, ApiCallRecord, ChatTurn, TurnUsage } from "../agent/types";
import { jobSender, SCHEDULER_CHANNEL_ID } from "./usage-attribution";

import type { McpServerGrant } from "../agent/mcp-request";
import type { ServerToolsConfig } from "../agent/server-tools";

export interface RecipeStep {
  /** What the agent is asked in this step. */
  prompt: string;
  /** Model for this step; the gateway's default when absent. */
  model?: string;
  /** Server tools for this step; none when absent. */
  serverTools?: ServerToolsConfig;
  /** Registered MCP servers (by name) for this step; none when absent. */
  mcpServers?: string[];
}

/** Opens the named MCP servers for a step, as the job's trust allows (none for the public tier). */
export type McpResolver = (names: readonly string[]) => Promise<McpServerGrant[]>;

/** Who the run is, as the agent sees it: each job is its own sender on the `scheduler` channel. */
export interface RecipeIdentity {
  jobId: string;
  jobName: string;
  /** Whoever wrote the recipe: an admin's job runs with the admin's trust, a sender's (schedule_job) with theirs. */
  trust: TrustTier;
}

export type RecipeResult =
  /** `calls`: every model request of every step, failed ones included, for the api_calls rows. */
  | { ok: true; output: string; stepOutputs: string[]; model: string; usage: TurnUsage; calls: ApiCallRecord[] }
  | { ok: false; error: string; failedStep: number; stepOutputs: string[]; model: string; usage: TurnUsage; calls: ApiCallRecord[] };

function addUsage(a: TurnUsage, b: TurnUsage): TurnUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    costUsd: a.costUsd + b.costUsd,
  };
}

export async function runRecipe(runtime: AgentRuntime, steps: RecipeStep[], who: RecipeIdentity, mcp?: McpResolver): Promise<RecipeResult> {
  let usage: TurnUsage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 };
  const history: ChatTurn[] = [];
  const stepOutputs: string[] = [];
  const calls: ApiCallRecord[] = [];
  let model = runtime.model;
  for (const [i, step] of steps.entries()) {
    const mcpServers = step.mcpServers?.length && mcp ? await mcp(step.mcpServers) : [];
    const result = await runtime.runTurn({
      channelId: SCHEDULER_CHANNEL_ID,
      channelType: "cron",
      senderId: jobSender(who.jobId),
      senderName: who.jobName,
      trust: who.trust,
      model: step.model,
      ...(step.serverTools ? { settings: { serverTools: step.serverTools } } : {}),
      ...(mcpServers.length ? { mcpServers } : {}),
      history: [...history],
      text: step.prompt,
    });
    model = result.model;
    calls.push(...(result.calls ?? []));
    if (!result.ok) {
      if (result.usage) usage = addUsage(usage, result.usage);
      return { ok: false, error: `step ${i + 1}: ${result.error}`, failedStep: i + 1, stepOutputs, model, usage, calls };
    }
    usage = addUsage(usage, result.usage);
    stepOutputs.push(result.text);
    history.push({ role: "user", content: step.prompt }, { role: "assistant", content: result.text });
  }
  return { ok: true, output: stepOutputs.at(-1) ?? "", stepOutputs, model, usage, calls };
}
