/**
 * Container turns as tests build them (src/protocol/container.ts): a terse system prompt, one
 * message from the sender, no tools unless given; `over` replaces any field of the spec.
 */
import type { ContainerTurnFrame, ContainerTurnSpec } from "../../src/protocol/container";

export function testSpec(text: string, over: Partial<ContainerTurnSpec> = {}): ContainerTurnSpec {
  return {
    model: "claude-haiku-5-5",
    maxTokens: 300,
    maxSteps: 3,
    tokenBudget: 100_000,
    system: [{ type: "text", text: "You are terse." }],
    messages: [{ role: "user", content: [{ type: "text", text }] }],
    tools: [],
    ...over,
  };
}

/** The `turn` frame the gateway sends the bridge for `spec`, from sender "ana" unless named, valid for two minutes. */
export function testTurn(id: string, channelId: string, spec: ContainerTurnSpec, senderId = "ana"): ContainerTurnFrame {
  return { t: "turn", id, channelId, senderId, expiresAt: Date.now() + 120_000, spec };
}
