/**
 * "Ask first" tool calls in a turn, through the real SDK against the fake Messages API: the turn
 * stops at the call without running it, the paused state survives a JSON round trip (it is
 * stored in the sender's object), and the decision continues the same turn: the tool's result
 * when approved, an error result naming who denied it (or the timeout) otherwise.
 */
import { describe, expect, it } from "vitest";
import type { ApprovalDecision, PausedTurn } from "../../src/agent/types";
import { agentSettingsSchema } from "../../src/agent/settings";
import type { ScheduleJobInput, TurnRequest, TurnResult } from "../../src/agent/types";
import { claudeAgainstFake } from "../support/claude-runtime";

const { anthropic, runtime } = claudeAgainstFake("sk-ant-test-0123456789");

const JOB = { name: "Weather", cron: "0 8 * * *", prompt: "Tell me the weather" };

function turn(scheduled: ScheduleJobInput[], extra: Partial<TurnRequest> = {}): TurnRequest {
  return {
    channelId: "ch_1",
    channelType: "telegram",
    senderId: "42",
    trust: "paired",
    history: [],
    text: "Send me the weather every morning",
    settings: { approvals: { askFirst: ["schedule_job"], approver: "admin" } },
    approvals: { askFirst: ["schedule_job"] },
    capabilities: {
      scheduleJob: async (input) => {
        scheduled.push(input);
        return { ok: true, jobId: "job_1", nextRuns: [Date.UTC(2026, 11, 8, 8)] };
      },
    },
    ...extra,
  };
}

type SentMessage = { role: string; content: { type: string; content?: string; is_error?: boolean; tool_use_id?: string }[] | string };
const lastMessages = () => anthropic().requests.at(-1)!.body.messages as SentMessage[];

function pausedOf(r: TurnResult): PausedTurn {
  if (r.ok || r.reason !== "approval") throw new Error(`expected a paused turn, got ${JSON.stringify(r)}`);
  // Stored as JSON in the sender's object between the pause and the decision.
  return JSON.parse(JSON.stringify(r.paused)) as PausedTurn;
}

async function pauseThenDecide(decision: ApprovalDecision) {
  const scheduled: ScheduleJobInput[] = [];
  anthropic().enqueue({ kind: "tool_use", name: "schedule_job", input: JOB }, { kind: "text", text: "All set." });
  anthropic().requests.length = 0;
  const paused = pausedOf(await runtime().runTurn(turn(scheduled)));
  expect(scheduled).toEqual([]);
  expect(anthropic().requests).toHaveLength(1);
  const resumed = await runtime().runTurn({ ...turn(scheduled), resume: { paused, decision } });
  return { scheduled, paused, resumed };
}

describe("ask-first tools", () => {
  it("pause the turn at the call, and an approval runs the tool and finishes the same turn", async () => {
    const { scheduled, paused, resumed } = await pauseThenDecide({ kind: "approved", by: "admin" });
    expect(paused.toolCalls).toEqual([{ id: expect.any(String), name: "schedule_job", input: JOB }]);
    expect(paused.calls).toHaveLength(1);
    expect(scheduled).toEqual([{ ...JOB, timezone: undefined }]);
    expect(resumed.ok && resumed.text).toBe("All set.");
    // Both halves of the turn are one run: the call before the pause is counted once, with the one after.
    expect(resumed.calls).toHaveLength(2);
    expect(resumed.events?.map((e) => e.kind)).toEqual(["agent.approval_needed", "agent.tool"]);
    const messages = lastMessages();
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    const result = (messages[2]!.content as { type: string; content?: string; tool_use_id?: string }[])[0]!;
    expect(result.tool_use_id).toBe(paused.toolCalls[0]!.id);
    expect(JSON.parse(result.content!).scheduled).toBe("job_1");
  });

  it("a denial never runs the tool; the model is told who denied it", async () => {
    const { scheduled, resumed } = await pauseThenDecide({ kind: "denied", by: "admin" });
    expect(scheduled).toEqual([]);
    expect(resumed.ok).toBe(true);
    const result = (lastMessages().at(-1)!.content as { content?: string; is_error?: boolean }[])[0]!;
    expect(result).toMatchObject({ is_error: true, content: "denied by the admin; the call did not run" });
  });

  it("an expired wait counts as a denial", async () => {
    const { scheduled } = await pauseThenDecide({ kind: "expired", afterSeconds: 600 });
    expect(scheduled).toEqual([]);
    const result = (lastMessages().at(-1)!.content as { content?: string; is_error?: boolean }[])[0]!;
    expect(result).toMatchObject({ is_error: true, content: "denied: nobody approved this call within 600 seconds; it did not run" });
  });

  it("other calls of the same step run at once; their results go back with the decided one, in order", async () => {
    const scheduled: ScheduleJobInput[] = [];
    anthropic().enqueue(
      {
        kind: "blocks",
        content: [
          { type: "tool_use", id: "toolu_time", name: "current_time", input: {} },
          { type: "tool_use", id: "toolu_job", name: "schedule_job", input: JOB },
        ],
        stop: "tool_use",
      },
      { kind: "text", text: "Done." },
    );
    anthropic().requests.length = 0;
    const paused = pausedOf(await runtime().runTurn(turn(scheduled)));
    expect(paused.toolCalls.map((c) => [c.name, c.result !== undefined])).toEqual([
      ["current_time", true],
      ["schedule_job", false],
    ]);
    await runtime().runTurn({ ...turn(scheduled), resume: { paused, decision: { kind: "approved", by: "sender" } } });
    const results = lastMessages().at(-1)!.content as { tool_use_id?: string }[];
    expect(results.map((r) => r.tool_use_id)).toEqual(["toolu_time", "toolu_job"]);
    expect(scheduled).toHaveLength(1);
  });

  it("where nobody can be asked (no approvals gate: jobs, loop tasks) the call is refused, not run", async () => {
    const scheduled: ScheduleJobInput[] = [];
    anthropic().enqueue({ kind: "tool_use", name: "schedule_job", input: JOB }, { kind: "text", text: "I could not." });
    anthropic().requests.length = 0;
    const r = await runtime().runTurn(turn(scheduled, { approvals: undefined }));
    expect(r.ok).toBe(true);
    expect(scheduled).toEqual([]);
    const result = (lastMessages().at(-1)!.content as { content?: string; is_error?: boolean }[])[0]!;
    expect(result).toMatchObject({ is_error: true, content: expect.stringContaining("needs a person's approval") });
  });

  it("settings accept only the gateway's own tools", () => {
    expect(agentSettingsSchema.safeParse({ approvals: { askFirst: ["schedule_job"] } }).success).toBe(true);
    expect(agentSettingsSchema.safeParse({ approvals: { askFirst: ["github.create_issue"] } }).success).toBe(false);
    expect(agentSettingsSchema.safeParse({ approvals: { askFirst: [] } }).success).toBe(false);
    expect(agentSettingsSchema.parse({ approvals: { askFirst: ["remember_note"] } }).approvals?.approver).toBe("admin");
  });
});
