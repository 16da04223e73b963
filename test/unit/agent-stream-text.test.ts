/**
 * The reply as it grows (TurnRequest.onText, what streamed replies show): the Claude runtime
 * against the fake Messages API, through the real @anthropic-ai/sdk. Every report is a longer
 * prefix of the answer, a retried request starts over, and a tool step's text is followed by
 * the next step's.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_SYSTEM_PROMPT } from "../../src/agent/system-prompt.generated";
import type { TurnRequest } from "../../src/agent/types";
import { claudeAgainstFake } from "../support/claude-runtime";

const { anthropic, runtime: claude } = claudeAgainstFake("sk-ant-test-stream-5511");
const runtime = () => claude({ systemPrompt: DEFAULT_SYSTEM_PROMPT, retry: { maxAttempts: 3, baseDelayMs: 20, maxWaitMs: 5_000 } });

const turn = (seen: string[], text = "hello"): TurnRequest => ({
  channelId: "ch_1",
  channelType: "telegram",
  senderId: "42",
  trust: "paired",
  history: [],
  text,
  onText: (t) => seen.push(t),
});

const ANSWER = "The answer grows twelve characters at a time, as the fake streams it.";

// Reported as the reply would read: trailing white space is trimmed, as in the finished reply.
describe("the reply so far", () => {
  it("is reported after every text delta, each a longer prefix, ending on the whole answer", async () => {
    anthropic().enqueue({ kind: "text", text: ANSWER });
    const seen: string[] = [];
    const result = await runtime().runTurn(turn(seen));
    expect(result.ok && result.text).toBe(ANSWER);
    expect(seen.length).toBe(Math.ceil(ANSWER.length / 12));
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.startsWith(seen[i - 1]!)).toBe(true);
    expect(seen.at(-1)).toBe(ANSWER);
  });

  it("starts over when a broken stream is retried", async () => {
    anthropic().enqueue({ kind: "break", text: ANSWER, afterDeltas: 3 }, { kind: "text", text: ANSWER });
    const seen: string[] = [];
    const result = await runtime().runTurn(turn(seen));
    expect(result.ok && result.text).toBe(ANSWER);
    expect(seen.slice(0, 3)).toEqual([12, 24, 36].map((n) => ANSWER.slice(0, n).trimEnd()));
    expect(seen[3]).toBe(ANSWER.slice(0, 12));
    expect(seen.at(-1)).toBe(ANSWER);
  });

  it("moves on to the next step's text after a tool call", async () => {
    anthropic().enqueue({ kind: "tool_use", name: "current_time", input: {}, text: "Let me look at the clock." }, { kind: "text", text: "It is late." });
    const seen: string[] = [];
    const result = await runtime().runTurn(turn(seen, "what time is it?"));
    expect(result.ok && result.text).toBe("It is late.");
    expect(seen).toContain("Let me look at the clock.");
    expect(seen.at(-1)).toBe("It is late.");
  });
});
