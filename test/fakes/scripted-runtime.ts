/**
 * A scripted model for Worker-layer tests of jobs and loop tasks: each turn takes the next
 * scripted answer (text, failure, or a gate the test opens later) and every request is kept,
 * so a test can check what the agent was sent. Like the Claude runtime, a turn that reached
 * the model reports its call (which becomes an api_calls row), with the same usage it returns. Installed with `vi.spyOn(schedulerAgent, "runtime")`.
 */
import type { AgentRuntime, ApiCallRecord, TurnRequest, TurnResult, TurnUsage } from "../../src/agent/types";

export type ScriptedAnswer = string | { fail: string } | { gate: Promise<string> } | { costUsd: number; text: string };

export const SCRIPTED_MODEL = "scripted-test-model";

function callOf(usage: TurnUsage): ApiCallRecord {
  const { costUsd, ...tokens } = usage;
  return { at: Date.now(), purpose: "turn", model: SCRIPTED_MODEL, ...tokens, latencyMs: 1, stopReason: "end_turn", status: "ok", costUsd, cacheSavingsUsd: 0 };
}

export function scriptedRuntime(script: ScriptedAnswer[], fallback: (req: TurnRequest, n: number) => string = (_r, n) => `answer ${n}`) {
  const requests: TurnRequest[] = [];
  const runtime: AgentRuntime = {
    model: SCRIPTED_MODEL,
    mode: "anthropic",
    async runTurn(request): Promise<TurnResult> {
      requests.push(structuredClone(request));
      const n = requests.length;
      const answer = script.shift() ?? fallback(request, n);
      const usage = { inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0.001 };
      if (typeof answer === "object" && "fail" in answer)
        return { ok: false, error: answer.fail, userMessage: "the model is unavailable", model: SCRIPTED_MODEL, latencyMs: 1 };
      const ok = (text: string, u: TurnUsage): TurnResult => ({ ok: true, text, model: SCRIPTED_MODEL, usage: u, calls: [callOf(u)], latencyMs: 1 });
      if (typeof answer === "object" && "gate" in answer) return ok(await answer.gate, usage);
      if (typeof answer === "object") return ok(answer.text, { ...usage, costUsd: answer.costUsd });
      return ok(answer, usage);
    },
  };
  return { runtime, requests };
}

/** A promise the test resolves when it wants a gated turn to finish. */
export function gate() {
  let open!: (text: string) => void;
  const promise = new Promise<string>((resolve) => (open = resolve));
  return { promise, open };
}
