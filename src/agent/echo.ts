/**
 * The offline echo model: with no ANTHROPIC_API_KEY the gateway still works end to end,
 * and every reply says plainly that no model answered.
 */
import type { AgentRuntime } from "./types";
import { ZERO_USAGE } from "./types";

export const ECHO_MODEL = "offline-echo";
export const ECHO_PREFIX = "[offline echo — no ANTHROPIC_API_KEY set]";

export const echoRuntime: AgentRuntime = {
  model: ECHO_MODEL,
  mode: "offline-echo",
  async runTurn({ text, history }) {
    const turn = history.filter((t) => t.role === "user").length + 1;
    return {
      ok: true,
      text: `${ECHO_PREFIX} (turn ${turn}) You said: ${text}`,
      model: ECHO_MODEL,
      usage: ZERO_USAGE,
      latencyMs: 0,
      calls: [],
      events: [],
      memory: { notesAdded: [] },
    };
  },
};
