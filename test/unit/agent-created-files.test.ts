/**
 * Files the agent sends in direct mode (docs/media.md): files code execution created in the turn
 * are downloaded with the Files API (through the real SDK's request flow against the fake
 * Messages API, which also serves the Files API) and come back with the answer, bounded and
 * with their type sniffed from the bytes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createClaudeRuntime } from "../../src/agent/claude";
import { createdFileIds } from "../../src/lib/created-files";
import { agentSettingsSchema } from "../../src/agent/settings";
import type { TurnRequest, TurnResult } from "../../src/agent/types";
import { MAX_AGENT_FILE_BYTES } from "../../src/lib/agent-files";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-messages";
import { bashExecutionCall } from "../fakes/anthropic-server-blocks";

const KEY = "sk-ant-test-files-0123456789";
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
let fake: FakeAnthropic;

beforeAll(async () => {
  fake = await startFakeAnthropic({ apiKey: KEY });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});

const runtime = () =>
  createClaudeRuntime({
    apiKey: KEY,
    baseURL: fake.url,
    model: "claude-sonnet-5-5",
    maxTokens: 512,
    systemPrompt: "You help.",
    maxSteps: 4,
    historyTokenBudget: 100_000,
    timeoutMs: 5_000,
    retry: { maxAttempts: 1, baseDelayMs: 10, maxWaitMs: 1_000 },
  });

const settings = agentSettingsSchema.parse({ serverTools: { codeExecution: {} } });
const turn: TurnRequest = { channelId: "ch_1", channelType: "telegram", senderId: "42", trust: "paired", history: [], text: "Chart it", settings };

/** A code run that leaves files, as the API reports it: their ids in bash_code_execution_output blocks. */
const runLeaving = (...fileIds: string[]) => bashExecutionCall("python3 chart.py", "saved", fileIds);

function ok(r: TurnResult) {
  if (!r.ok) throw new Error(`turn failed: ${r.error}`);
  return r;
}

describe("files code execution created", () => {
  it("are downloaded with the Files API beta header and returned with the answer, typed by their bytes", async () => {
    fake.addFile("file_011CNha8iCJcU1wXNR6q4V8w", "outputs/chart.dat", PNG, "application/octet-stream");
    fake.addFile("file_011CPMxVD3fHLUhvTqtsQA5w", "totals.csv", new TextEncoder().encode("a,b\n1,2\n"), "text/csv");
    fake.enqueue({
      kind: "blocks",
      content: [...runLeaving("file_011CNha8iCJcU1wXNR6q4V8w", "file_011CPMxVD3fHLUhvTqtsQA5w"), { type: "text", text: "Here is your chart." }],
    });
    const r = ok(await runtime().runTurn(turn));
    expect(r.text).toBe("Here is your chart.");
    expect(r.files?.map((f) => [f.name, f.mediaType, f.size])).toEqual([
      ["chart.dat", "image/png", PNG.length],
      ["totals.csv", "text/plain", 8],
    ]);
    const downloads = fake.requests.filter((q) => q.status === 200 && String(q.headers["anthropic-beta"]).includes("files-api-2025-04-14"));
    expect(downloads).toHaveLength(4); // metadata and content of each
    expect(downloads.every((q) => q.headers["x-api-key"] === KEY)).toBe(true);
  });

  it("skips what is missing or over the turn's bytes, and says so on the run's events", async () => {
    fake.addFile("file_big", "big.bin", new Uint8Array(MAX_AGENT_FILE_BYTES + 1));
    fake.enqueue({ kind: "blocks", content: [...runLeaving("file_gone", "file_big"), { type: "text", text: "Done." }] });
    const r = ok(await runtime().runTurn(turn));
    expect(r.files).toBeUndefined();
    expect(r.events?.filter((e) => e.kind === "agent.file_skipped").map((e) => e.detail.fileId)).toEqual(["file_gone", "file_big"]);
  });

  it("finds file ids only in code execution results, each once", () => {
    const blocks = [...runLeaving("file_a", "file_b"), ...runLeaving("file_a"), { type: "text", text: "file_c" }];
    expect(createdFileIds(blocks as never)).toEqual(["file_a", "file_b"]);
  });
});
