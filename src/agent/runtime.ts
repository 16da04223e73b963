/** Chooses the agent runtime from configuration: Claude when a key is set, the offline echo model otherwise. */
import { readConfig } from "../config";
import { createClaudeRuntime } from "./claude";
import { echoRuntime } from "./echo";
import { DEFAULT_SYSTEM_PROMPT } from "./system-prompt.generated";
import type { AgentRuntime } from "./types";

/** The environment the runtime reads (strings, as wrangler passes them); see src/config.ts. */
export interface AgentConfig {
  ANTHROPIC_API_KEY?: string;
  ANTHROPIC_BASE_URL?: string;
  AGENT_MODEL?: string;
  AGENT_MAX_TOKENS?: string;
  AGENT_MAX_STEPS?: string;
  AGENT_MAX_ATTEMPTS?: string;
  AGENT_RETRY_BASE_MS?: string;
  AGENT_RETRY_MAX_WAIT_MS?: string;
  AGENT_TIMEOUT_MS?: string;
  AGENT_HISTORY_TOKEN_BUDGET?: string;
}

export function createAgentRuntime(env: AgentConfig): AgentRuntime {
  const cfg = readConfig(env);
  if (!cfg.ANTHROPIC_API_KEY) return echoRuntime;
  return createClaudeRuntime({
    apiKey: cfg.ANTHROPIC_API_KEY,
    baseURL: cfg.ANTHROPIC_BASE_URL,
    model: cfg.AGENT_MODEL,
    maxTokens: cfg.AGENT_MAX_TOKENS,
    systemPrompt: DEFAULT_SYSTEM_PROMPT,
    maxSteps: cfg.AGENT_MAX_STEPS,
    historyTokenBudget: cfg.AGENT_HISTORY_TOKEN_BUDGET,
    timeoutMs: cfg.AGENT_TIMEOUT_MS,
    retry: { maxAttempts: cfg.AGENT_MAX_ATTEMPTS, baseDelayMs: cfg.AGENT_RETRY_BASE_MS, maxWaitMs: cfg.AGENT_RETRY_MAX_WAIT_MS },
  });
}
