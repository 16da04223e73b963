/**
 * Ask-first MCP tools in a turn, through the real SDK against the fake Messages API and the fake
 * MCP server: the tool is offered as a client tool with the server's schema, its call pauses the
 * turn without reaching the server, an approval calls the server and hands its result to the
 * model, a denial never calls it, and a turn that cannot wait (a job) refuses the call.
 */
import { describe, expect, it } from "vitest";
import { mcpTurnTools } from "../../src/agent/mcp-ask-first";
import type { PausedTurn, TurnRequest, TurnResult } from "../../src/agent/types";
import { createFakeMcpServer } from "../support/fake-mcp-server";
import { claudeAgainstFake } from "../support/claude-runtime";

const { anthropic, runtime } = claudeAgainstFake("sk-ant-test-mcp-ask-first");
const TOKEN = "mcp-unit-token";
const SCHEMA = { type: "object", properties: { id: { type: "string" } }, required: ["id"] };

async function setup() {
  const server = createFakeMcpServer({
    token: TOKEN,
    tools: [{ name: "delete_contact", description: "Delete a contact", inputSchema: SCHEMA, run: (a) => `deleted ${String(a.id)}` }],
  });
  const fetcher = ((i: RequestInfo | URL, init?: RequestInit) => server.handle(new Request(i, init))) as typeof fetch;
  const split = await mcpTurnTools([{ name: "crm", url: "https://crm.example.com/mcp", token: TOKEN }], ["mcp:crm"], fetcher);
  const turn: TurnRequest = {
    channelId: "ch_1",
    channelType: "telegram",
    senderId: "42",
    trust: "paired",
    history: [],
    text: "Delete contact c7",
    settings: { mcpServers: ["crm"], approvals: { askFirst: ["mcp:crm"], approver: "admin" } },
    approvals: { askFirst: ["mcp:crm"] },
    mcpTools: split.direct,
  };
  return { server, turn };
}

function pausedOf(r: TurnResult): PausedTurn {
  if (r.ok || r.reason !== "approval") throw new Error(`expected a paused turn, got ${JSON.stringify(r)}`);
  return JSON.parse(JSON.stringify(r.paused)) as PausedTurn;
}

type Block = { type: string; content?: string; is_error?: boolean };
const lastToolResult = () => ((anthropic().requests.at(-1)!.body.messages as { content: Block[] | string }[]).at(-1)!.content as Block[])[0]!;

describe("ask-first MCP tools in the runtime", () => {
  it("offers the tool with the server's schema, pauses at the call, and an approval calls the server", async () => {
    const { server, turn } = await setup();
    anthropic().enqueue({ kind: "tool_use", name: "mcp__crm__delete_contact", input: { id: "c7" } }, { kind: "text", text: "Done." });
    anthropic().requests.length = 0;
    const paused = pausedOf(await runtime().runTurn(turn));
    const offered = (anthropic().requests[0]!.body.tools as { name: string; input_schema: unknown }[]).find((t) => t.name === "mcp__crm__delete_contact");
    expect(offered?.input_schema).toEqual(SCHEMA);
    expect(anthropic().requests[0]!.body.mcp_servers).toBeUndefined();
    expect(paused.toolCalls).toEqual([{ id: expect.any(String), name: "mcp__crm__delete_contact", input: { id: "c7" } }]);
    expect(server.state.calls).toEqual([]);

    const resumed = await runtime().runTurn({ ...turn, resume: { paused, decision: { kind: "approved", by: "admin" } } });
    expect(resumed.ok && resumed.text).toBe("Done.");
    expect(server.state.calls).toEqual([{ name: "delete_contact", arguments: { id: "c7" } }]);
    expect(lastToolResult()).toMatchObject({ type: "tool_result", content: "deleted c7" });
  });

  it("a denial never calls the server", async () => {
    const { server, turn } = await setup();
    anthropic().enqueue({ kind: "tool_use", name: "mcp__crm__delete_contact", input: { id: "c8" } }, { kind: "text", text: "Not deleted." });
    const paused = pausedOf(await runtime().runTurn(turn));
    await runtime().runTurn({ ...turn, resume: { paused, decision: { kind: "denied", by: "admin" } } });
    expect(server.state.calls).toEqual([]);
    expect(lastToolResult()).toMatchObject({ is_error: true, content: "denied by the admin; the call did not run" });
  });

  it("a turn that cannot wait refuses the call instead of running it", async () => {
    const { server, turn } = await setup();
    anthropic().enqueue({ kind: "tool_use", name: "mcp__crm__delete_contact", input: { id: "c9" } }, { kind: "text", text: "Could not." });
    const result = await runtime().runTurn({ ...turn, approvals: undefined });
    expect(result.ok).toBe(true);
    expect(server.state.calls).toEqual([]);
    expect(lastToolResult()).toMatchObject({ is_error: true, content: expect.stringContaining("needs a person's approval") });
  });
});
