/**
 * The `recall` tool in a turn, through the real SDK against the fake Messages API: offered only
 * when the conversation's notes can be searched, its query reaches the search, and notes saved
 * earlier in the same turn are found before they are indexed.
 */
import { describe, expect, it } from "vitest";
import type { TurnRequest } from "../../src/agent/types";
import { claudeAgainstFake } from "../support/claude-runtime";

const { anthropic, runtime } = claudeAgainstFake("sk-ant-test-0123456789");

const turn = (extra: Partial<TurnRequest>): TurnRequest => ({
  channelId: "ch_1",
  channelType: "telegram",
  senderId: "42",
  trust: "public",
  history: [],
  text: "When is Maria's birthday?",
  ...extra,
});

describe("recall", () => {
  it("searches the notes with the model's query and returns the matches as the tool result", async () => {
    const queries: string[] = [];
    anthropic().enqueue(
      { kind: "tool_use", name: "remember_note", input: { note: "Maria is the sister" } },
      { kind: "tool_use", name: "recall", input: { query: "Maria birthday" } },
      { kind: "text", text: "On 3 May." },
    );
    anthropic().requests.length = 0;
    const r = await runtime().runTurn(
      turn({
        trust: "paired",
        capabilities: {
          recallNotes: (q) => {
            queries.push(q);
            return [{ text: "Sister Maria's birthday is 3 May", at: Date.UTC(2026, 0, 2) }];
          },
        },
      }),
    );
    expect(r.ok).toBe(true);
    expect(queries).toEqual(["Maria birthday"]);
    const last = anthropic().requests.at(-1)!.body.messages as { role: string; content: { type: string; content?: string }[] }[];
    const result = JSON.parse(last.at(-1)!.content[0]!.content!);
    expect(result.notes.map((n: { note: string }) => n.note)).toEqual(["Maria is the sister", "Sister Maria's birthday is 3 May"]);
    expect(result.notes[1].saved).toBe("2026-01-02T00:00:00.000Z");
  });

  it("is offered to public senders (it only reads their own notes), and not at all without a notes store", async () => {
    anthropic().enqueue({ kind: "text", text: "a" }, { kind: "text", text: "b" });
    anthropic().requests.length = 0;
    await runtime().runTurn(turn({ capabilities: { recallNotes: () => [] } }));
    await runtime().runTurn(turn({}));
    const names = anthropic().requests.map((q) => (q.body.tools as { name: string }[]).map((t) => t.name));
    expect(names).toEqual([["current_time", "recall"], ["current_time"]]);
  });
});
