/**
 * Tool approvals ("ask first"), the agent's side: the channel's settings name the tools whose
 * calls wait for a person's decision, the runtime stops the turn at such a call (a paused turn,
 * stored by the sender's object), and the decision settles the waiting calls as tool results:
 * the tool's own result when approved, an error result saying who denied it otherwise.
 */
import type { ToolResultBlockParam } from "@anthropic-ai/sdk/resources/messages";
import type { AgentTool, ToolContext, ToolOutcome } from "./tools";
import type { McpDirectTool } from "./types";
import type { AgentEvent, ApprovalDecision, PausedToolCall, PausedTurn } from "./types";

export type { ApprovalDecision, ApprovalGate, PausedToolCall, PausedTurn } from "./types";

/** The calls of a paused step that wait for the decision. */
export function waitingCalls(paused: PausedTurn): PausedToolCall[] {
  return paused.toolCalls.filter((c) => !c.result);
}

/** What the model is told for a call that was not approved. */
export function deniedResult(decision: Exclude<ApprovalDecision, { kind: "approved" }>): ToolOutcome {
  if (decision.kind === "expired")
    return { content: `denied: nobody approved this call within ${decision.afterSeconds} seconds; it did not run`, isError: true };
  return { content: `denied by the ${decision.by}; the call did not run`, isError: true };
}

/** The tool results of the paused step once decided: approved calls run now, the others get a denial. */
export async function settleToolCalls(
  paused: PausedTurn,
  decision: ApprovalDecision,
  tools: readonly AgentTool[],
  ctx: ToolContext,
  /** The turn's ask-first MCP tools, called on the server when approved. */
  mcpTools: readonly McpDirectTool[] = [],
): Promise<{ results: ToolResultBlockParam[]; events: AgentEvent[] }> {
  const results: ToolResultBlockParam[] = [];
  const events: AgentEvent[] = [];
  for (const call of paused.toolCalls) {
    let out = call.result;
    if (!out) {
      const tool = tools.find((t) => t.name === call.name);
      const mcp = mcpTools.find((t) => t.name === call.name);
      if (decision.kind !== "approved") out = deniedResult(decision);
      else if (tool) out = await tool.run(call.input, ctx);
      else if (mcp) out = await mcp.run(call.input);
      else out = { content: `tool ${call.name} is not available here`, isError: true };
      events.push({
        kind: "agent.tool",
        detail: { tool: call.name, ok: !out.isError, step: paused.step, approval: decision.kind, ...(out.isError ? { error: out.content } : {}) },
      });
    }
    results.push({ type: "tool_result", tool_use_id: call.id, content: out.content, ...(out.isError ? { is_error: true } : {}) });
  }
  return { results, events };
}
