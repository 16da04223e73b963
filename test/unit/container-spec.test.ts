/**
 * The container turn as the gateway builds it and takes it back (src/agent/container-turn.ts):
 * the gateway's own tools offered by the tier's rules and named in `gatewayTools`, pictures as
 * inline image blocks, a history past its budget sent as a summarising request with a marker
 * where the summary goes, and a result's summary stored with the turn.
 */
import { describe, expect, it } from "vitest";
import { containerSpec, containerStageOutput, SUMMARY_MARKER, type ContainerSpecInput } from "../../src/agent/container-turn";
import type { ContainerTurnResult } from "../../src/protocol/container";

const base: ContainerSpecInput = {
  cfg: {
    AGENT_MODEL: "claude-test",
    AGENT_MAX_TOKENS: 1024,
    AGENT_MAX_STEPS: 6,
    AGENT_HISTORY_TOKEN_BUDGET: 24_000,
    AGENT_CONTAINER_RUN_TOKEN_BUDGET: 100_000,
  },
  settings: null,
  systemPrompt: "You are a test.",
  channelType: "webhook",
  channelName: "test",
  senderId: "ada",
  trust: "paired",
  memory: { summary: "Ada likes tea.", summaryThroughSeq: 0, notes: ["Lives in Porto"] },
  history: [],
  text: "hello",
};
const names = (tools: Record<string, unknown>[]) => tools.map((t) => t.name);

describe("the container turn's spec", () => {
  it("offers the gateway's tools by the tier's rules, and names them for the runner to relay", () => {
    const paired = containerSpec(base);
    expect(names(paired.tools)).toEqual([
      "current_time",
      "list_files",
      "read_file",
      "recall",
      "remember_note",
      "run_command",
      "schedule_job",
      "send_file",
      "write_file",
    ]);
    expect(paired.gatewayTools).toEqual(["current_time", "recall", "remember_note", "schedule_job"]);
    // A public sender gets the side-effect-free ones only; an allow list decides exactly.
    expect(containerSpec({ ...base, trust: "public" }).gatewayTools).toEqual(["current_time", "recall"]);
    const listed = containerSpec({ ...base, trust: "public", settings: { tools: ["run_command"] } });
    expect(names(listed.tools)).toEqual(["run_command"]);
    expect(listed.gatewayTools).toBeUndefined();
  });

  it("leaves out a tool marked ask first: a container run cannot wait for the decision", () => {
    const spec = containerSpec({ ...base, settings: { approvals: { askFirst: ["schedule_job"], approver: "admin", timeoutSeconds: 600 } } });
    expect(spec.gatewayTools).toEqual(["current_time", "recall", "remember_note"]);
    expect(names(spec.tools)).not.toContain("schedule_job");
  });

  it("puts the message's pictures inline before its text", () => {
    const spec = containerSpec({ ...base, images: [{ mediaType: "image/png", data: "iVBORw0KGgo=" }] });
    const content = spec.messages.at(-1)!.content as Record<string, unknown>[];
    expect(content[0]).toEqual({ type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } });
    expect(content.at(-1)!.type).toBe("text");
  });

  it("sends a history past its budget as a summarising request, with a marker where the summary goes", () => {
    const long = "word ".repeat(200);
    const history = Array.from({ length: 8 }, (_, i) => ({ seq: i + 1, role: i % 2 ? ("assistant" as const) : ("user" as const), content: `${i} ${long}` }));
    const spec = containerSpec({ ...base, history, cfg: { ...base.cfg, AGENT_HISTORY_TOKEN_BUDGET: 600 } });
    expect(spec.compaction).toMatchObject({ marker: SUMMARY_MARKER, fallback: "Ada likes tea.", throughSeq: 6, compactedTurns: 6 });
    expect(JSON.stringify(spec.compaction!.request)).toContain("Previous summary:\\nAda likes tea.");
    expect(JSON.stringify(spec.system)).toContain(SUMMARY_MARKER);
    expect(JSON.stringify(spec.system)).not.toContain("Ada likes tea.");
    // Only the kept turns (seq 7 and 8) and the new message.
    expect(spec.messages).toHaveLength(3);
    expect(containerSpec(base).compaction).toBeUndefined();
  });
});

describe("a container result", () => {
  const result: ContainerTurnResult = {
    outcome: "answered",
    text: "Hi Ada",
    calls: [
      {
        at: 1,
        model: "claude-test",
        inputTokens: 500,
        outputTokens: 40,
        cacheWriteTokens: 0,
        cacheWrite1hTokens: 0,
        cacheReadTokens: 0,
        latencyMs: 9,
        stopReason: "end_turn",
        status: "ok",
        purpose: "compaction",
      },
      {
        at: 2,
        model: "claude-test",
        inputTokens: 300,
        outputTokens: 10,
        cacheWriteTokens: 0,
        cacheWrite1hTokens: 0,
        cacheReadTokens: 0,
        latencyMs: 9,
        stopReason: "end_turn",
        status: "ok",
      },
    ],
    compaction: { summary: "Ada likes tea and gardens.", throughSeq: 6, compactedTurns: 6 },
    steps: 1,
    toolCalls: 0,
    queuedMs: 0,
    runMs: 20,
  };
  const input = { channelId: "ch_1", senderId: "ada", runId: "run_1", bridgeId: "brg_1", model: "claude-test", text: "hello", dispatchedAt: 0 };

  it("stores the bridge's summary with the turn and records the summarising call as compaction", () => {
    const out = containerStageOutput({ ...input, result });
    expect(out.memory).toEqual({ notesAdded: [], summary: { text: "Ada likes tea and gardens.", throughSeq: 6, compactedTurns: 6 } });
    expect(out.apiCalls.map((c) => c.purpose)).toEqual(["compaction", "turn"]);
    expect(out.events.map((e) => e.kind)).toContain("agent.compacted");
    const { compaction: _none, ...plain } = result;
    expect(containerStageOutput({ ...input, result: plain }).memory).toBeNull();
  });
});
