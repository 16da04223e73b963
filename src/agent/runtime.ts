/** Chooses the agent runtime from configuration. */
import { echoRuntime } from "./echo";
import type { AgentRuntime } from "./types";

export interface AgentConfig {
  ANTHROPIC_API_KEY?: string;
  ANTHROPIC_BASE_URL?: string;
}

export function createAgentRuntime(config: AgentConfig): AgentRuntime {
  // The Claude runtime plugs in here when a key is configured; until then, the echo model.
  void config;
  return echoRuntime;
}
