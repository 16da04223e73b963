/**
 * The agent runtime jobs and loop tasks call. Reached through this object rather than imported
 * directly so the Worker-layer tests (which share the Worker's isolate) can script the model
 * with `vi.spyOn(schedulerAgent, "runtime")`, the same way they intercept `fetch`.
 */
import { createAgentRuntime, type AgentConfig } from "../agent/runtime";
import type { AgentRuntime } from "../agent/types";

export const schedulerAgent = {
  runtime(config: AgentConfig): AgentRuntime {
    return createAgentRuntime(config);
  },
};
