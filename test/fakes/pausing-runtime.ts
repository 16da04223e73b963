/**
 * A scripted model for Worker-layer tests of tool approvals: every new turn stops at a
 * schedule_job call that asks first, and a resumed turn answers with the decision it was given,
 * so a test sees which decision reached the agent. The real runtime's pause and resume are
 * tested against the fake Messages API (test/unit/agent-approvals.test.ts).
 */
import type { AgentRuntime, TurnRequest, TurnResult } from "../../src/agent/types";

export const APPROVAL_JOB = { name: "Weather", cron: "0 8 * * *", prompt: "Tell me the weather" };

export function pausingRuntime(): AgentRuntime {
  const model = "scripted-approvals";
  return {
    model,
    mode: "anthropic",
    async runTurn(req: TurnRequest): Promise<TurnResult> {
      if (!req.approvals) throw new Error("a conversation turn should be allowed to pause");
      if (!req.resume)
        return {
          ok: false,
          reason: "approval",
          error: "waiting for approval of schedule_job",
          userMessage: "",
          model,
          latencyMs: 1,
          paused: {
            model,
            step: 1,
            tail: [],
            calls: [],
            events: [],
            memory: { notesAdded: [] },
            toolCalls: [{ id: "toolu_1", name: "schedule_job", input: APPROVAL_JOB }],
            latencyMs: 1,
          },
        };
      const d = req.resume.decision;
      const text = d.kind === "expired" ? `decision: expired after ${d.afterSeconds} s` : `decision: ${d.kind} by ${d.by}`;
      return { ok: true, text, model, latencyMs: 1, usage: { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 } };
    },
  };
}
