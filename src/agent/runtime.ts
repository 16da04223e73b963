/** Chooses the agent runtime from configuration: Claude when a key is set, the offline echo model otherwise. */
import { readConfig, type GatewayConfig, type GatewaySettings } from "../config";
import { createClaudeRuntime } from "./claude";
import { echoRuntime } from "./echo";
import { DEFAULT_SYSTEM_PROMPT } from "./system-prompt.generated";
import type { AgentRuntime } from "./types";

/** The runtime reads the gateway's settings (strings, as wrangler passes them); see src/config.ts. */
export type AgentConfig = GatewaySettings;

/** Runtimes by the parsed settings they were made from (readConfig returns the same object while the settings hold). */
const built = new WeakMap<object, AgentRuntime>();

export function createAgentRuntime(env: AgentConfig): AgentRuntime {
  const cfg = readConfig(env);
  if (!cfg.ANTHROPIC_API_KEY) return echoRuntime;
  let runtime = built.get(cfg);
  if (!runtime) built.set(cfg, (runtime = claudeRuntimeFor(cfg, cfg.ANTHROPIC_API_KEY)));
  return runtime;
}

function claudeRuntimeFor(cfg: GatewayConfig, apiKey: string): AgentRuntime {
  return createClaudeRuntime({
    apiKey,
    baseURL: cfg.ANTHROPIC_BASE_URL,
    model: cfg.AGENT_MODEL,
    maxTokens: cfg.AGENT_MAX_TOKENS,
    systemPrompt: DEFAULT_SYSTEM_PROMPT,
    maxSteps: cfg.AGENT_MAX_STEPS,
    historyTokenBudget: cfg.AGENT_HISTORY_TOKEN_BUDGET,
    timeoutMs: cfg.AGENT_TIMEOUT_MS,
    retry: { maxAttempts: cfg.AGENT_MAX_ATTEMPTS, baseDelayMs: cfg.AGENT_RETRY_BASE_MS, maxWaitMs: cfg.AGENT_RETRY_MAX_WAIT_MS },
    fallbackModels: cfg.AGENT_FALLBACK_MODELS,
    failoverAfter: cfg.AGENT_FAILOVER_AFTER_ATTEMPTS,
  });
}

/**
 * The runtime a conversation turn uses. Reached through this object rather than called
 * directly so Worker-layer tests (which share the Worker's isolate) can script the model with
 * `vi.spyOn(conversationAgent, "runtime")`, as src/scheduler/runtime-factory.ts does for scheduled work.
 */
export const conversationAgent = {
  runtime(config: AgentConfig): AgentRuntime {
    return createAgentRuntime(config);
  },
};
