/**
 * The agent runtime seen from the pipeline (stage 7): given the session's history and the
 * new message, produce a reply and its usage. Implementations: the offline echo model
 * (no ANTHROPIC_API_KEY) and the Claude runtime.
 */

export interface ChatTurn {
  role: "user" | "assistant";
  content: string;
}

export interface TurnRequest {
  channelId: string;
  channelType: string;
  senderId: string;
  senderName?: string;
  /** Earlier turns, oldest first, not including `text`. */
  history: ChatTurn[];
  /** The new message from the sender (untrusted). */
  text: string;
}

export interface TurnUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
}

export type TurnResult =
  | { ok: true; text: string; model: string; usage: TurnUsage; latencyMs: number }
  /** `userMessage` is what the sender is told; `error` is for the admin. */
  | { ok: false; error: string; userMessage: string; model: string; latencyMs: number };

export interface AgentRuntime {
  /** Model name shown on runs and /api/health. */
  readonly model: string;
  /** `offline-echo` when no model key is configured. */
  readonly mode: "anthropic" | "offline-echo";
  runTurn(request: TurnRequest): Promise<TurnResult>;
}

export const ZERO_USAGE: TurnUsage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 };
