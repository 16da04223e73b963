/**
 * The gateway's own MCP client (Streamable HTTP) against the fake MCP server: the handshake and
 * its headers, JSON and SSE answers, sessions (kept, expired and started again, or none at all),
 * the token refused, JSON-RPC errors, timeouts and size caps as McpErrors; then the split of a
 * turn's MCP servers into ask-first tools the gateway calls itself and the connector's rest, and
 * the settings that mark them.
 */
import { describe, expect, it } from "vitest";
import { callOutcome, MCP_MAX_RESULT_CHARS, mcpTurnTools } from "../../src/agent/mcp-ask-first";
import { createMcpClient, McpError } from "../../src/agent/mcp-client";
import { mcpServerBody } from "../../src/agent/mcp-servers";
import { agentSettingsSchema } from "../../src/agent/settings";
import { createFakeMcpServer, type FakeMcpOptions } from "../support/fake-mcp-server";

const TOKEN = "mcp-test-token-5f1e";
const URL_ = "https://crm.example.com/mcp";

const tools: FakeMcpOptions["tools"] = [
  {
    name: "find_contact",
    description: "Find a contact by name",
    inputSchema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
    run: (args) => `found ${String(args.name)}`,
  },
  {
    name: "delete_contact",
    description: "Delete a contact",
    inputSchema: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
    run: (args) => {
      if (args.id === "locked") throw new Error("contact is locked");
      return { content: [{ type: "text", text: `deleted ${String(args.id)}` }] };
    },
  },
];

function setup(options: Partial<FakeMcpOptions> = {}, clientToken = TOKEN) {
  const server = createFakeMcpServer({ token: TOKEN, tools, ...options });
  const fetcher = ((input: RequestInfo | URL, init?: RequestInit) => server.handle(new Request(input, init))) as typeof fetch;
  const client = createMcpClient({ url: URL_, token: clientToken, fetch: fetcher, timeoutMs: 5_000 });
  return { server, client, fetcher };
}

describe("MCP client (Streamable HTTP)", () => {
  it("initialises, confirms with notifications/initialized, then lists and calls in the session", async () => {
    const { server, client } = setup();
    expect((await client.listTools()).map((t) => t.name)).toEqual(["find_contact", "delete_contact"]);
    expect(await client.callTool("find_contact", { name: "Ada" })).toEqual({ content: [{ type: "text", text: "found Ada" }] });
    expect(server.state.methods).toEqual(["initialize", "notifications/initialized", "tools/list", "tools/call"]);
    expect(server.state.refused).toEqual([]);
    expect(server.state.calls).toEqual([{ name: "find_contact", arguments: { name: "Ada" } }]);
  });

  it("reads the response out of an SSE stream, past the notifications before it", async () => {
    const { client } = setup({ mode: "sse" });
    expect((await client.listTools()).length).toBe(2);
    expect(await client.callTool("delete_contact", { id: "c1" })).toEqual({ content: [{ type: "text", text: "deleted c1" }] });
  });

  it("works with a server that gives no session id", async () => {
    const { server, client } = setup({ sessions: false });
    expect(await client.callTool("find_contact", { name: "Bo" })).toMatchObject({ content: [{ text: "found Bo" }] });
    expect(server.state.refused).toEqual([]);
  });

  it("starts a new session once when the server forgot the old one (404)", async () => {
    const { server, client } = setup();
    await client.listTools();
    server.expireSessions();
    expect(await client.callTool("find_contact", { name: "Cy" })).toMatchObject({ content: [{ text: "found Cy" }] });
    expect(server.state.methods.filter((m) => m === "initialize")).toHaveLength(2);
    expect(server.state.refused).toEqual([{ status: 404, reason: "Session not found" }]);
  });

  it("turns a refused token, a JSON-RPC error, a hang and an oversized answer into McpErrors", async () => {
    const refused = setup({}, "wrong-token").client;
    await expect(refused.listTools()).rejects.toThrow(new McpError("the MCP server refused the gateway's token (HTTP 401)", 401));

    const { client } = setup();
    await expect(client.callTool("no_such_tool", {})).rejects.toThrow(/refused tools\/call: Unknown tool: no_such_tool \(-32602\)/);

    const hanging = createMcpClient({
      url: URL_,
      fetch: (_i, init) => new Promise((_, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal?.reason))),
      timeoutMs: 100,
    });
    await expect(hanging.listTools()).rejects.toThrow("the MCP server did not answer within 100 ms");

    const big = createFakeMcpServer({ token: TOKEN, tools: [{ ...tools[0]!, run: () => "x".repeat(5_000) }] });
    const capped = createMcpClient({
      url: URL_,
      token: TOKEN,
      fetch: ((i: RequestInfo | URL, init?: RequestInit) => big.handle(new Request(i, init))) as typeof fetch,
      timeoutMs: 5_000,
      maxResponseBytes: 2_000,
    });
    await expect(capped.callTool("find_contact", { name: "x" })).rejects.toThrow("larger than 2000 bytes");
  });

  it("shows a result's text, names other blocks, marks tool errors and cuts long results", () => {
    expect(
      callOutcome({
        content: [
          { type: "text", text: "a" },
          { type: "image", mimeType: "image/png", data: "AAAA" },
        ],
      }),
    ).toEqual({
      content: "a\n[image image/png, 3 bytes, not shown]",
    });
    expect(callOutcome({ content: [{ type: "text", text: "locked" }], isError: true })).toEqual({ content: "locked", isError: true });
    expect(callOutcome({ structuredContent: { n: 1 } })).toEqual({ content: '{"n":1}' });
    const long = callOutcome({ content: [{ type: "text", text: "y".repeat(MCP_MAX_RESULT_CHARS + 10) }] });
    expect(long.content.length).toBeLessThan(MCP_MAX_RESULT_CHARS + 100);
    expect(long.content).toContain(`${MCP_MAX_RESULT_CHARS + 10} characters in all`);
  });
});

describe("ask-first MCP tools in a turn", () => {
  const crm = { name: "crm", url: URL_, token: TOKEN };
  const docs = { name: "docs", url: "https://docs.example.com/mcp" };

  it("a whole server asking first leaves the connector; its tools become mcp__<server>__<tool> client tools", async () => {
    const { server, fetcher } = setup();
    const turn = await mcpTurnTools([crm, docs], ["schedule_job", "mcp:crm"], fetcher);
    expect(turn.connector).toEqual([docs]);
    expect(turn.direct.map((t) => [t.name, t.server, t.tool])).toEqual([
      ["mcp__crm__delete_contact", "crm", "delete_contact"],
      ["mcp__crm__find_contact", "crm", "find_contact"],
    ]);
    expect(turn.direct[1]!.inputSchema).toEqual(tools[0]!.inputSchema);
    expect(await turn.direct[0]!.run({ id: "c9" })).toEqual({ content: "deleted c9" });
    expect(await turn.direct[0]!.run({ id: "locked" })).toEqual({ content: "contact is locked", isError: true });
    // One session for the listing and the calls.
    expect(server.state.methods.filter((m) => m === "initialize")).toHaveLength(1);
  });

  it("one tool asking first: the connector keeps the server's other allowed tools", async () => {
    const { fetcher } = setup();
    const turn = await mcpTurnTools([crm], ["mcp:crm/delete_contact"], fetcher);
    expect(turn.direct.map((t) => t.name)).toEqual(["mcp__crm__delete_contact"]);
    expect(turn.connector).toEqual([{ ...crm, allowedTools: ["find_contact"] }]);
    // The registry's allowed tools still bound both sides.
    const narrowed = await mcpTurnTools([{ ...crm, allowedTools: ["delete_contact"] }], ["mcp:crm/delete_contact"], fetcher);
    expect(narrowed.connector).toEqual([]);
    expect(narrowed.direct.map((t) => t.tool)).toEqual(["delete_contact"]);
  });

  it("a server that cannot be listed is left out of the turn, not handed to the connector", async () => {
    const { fetcher } = setup();
    const turn = await mcpTurnTools([{ ...crm, token: "stale" }, docs], ["mcp:crm"], fetcher);
    expect(turn.connector).toEqual([docs]);
    expect(turn.direct).toEqual([]);
    expect(turn.skipped).toEqual([{ server: "crm", reason: expect.stringContaining("refused the gateway's token (HTTP 401)") }]);
  });

  it("a failing call is a tool error, not a failed turn", async () => {
    const { fetcher } = setup();
    const broken = await mcpTurnTools([crm], ["mcp:crm"], (async (i: RequestInfo | URL, init?: RequestInit) => {
      const body = JSON.parse(String(init?.body)) as { method: string };
      return body.method === "tools/call" ? new Response("upstream down", { status: 502 }) : fetcher(i, init);
    }) as typeof fetch);
    expect(broken.direct[1]!.name).toBe("mcp__crm__find_contact");
    expect(await broken.direct[1]!.run({ name: "x" })).toEqual({ content: "crm/find_contact failed: the MCP server answered HTTP 502", isError: true });
  });
});

describe("askFirst settings", () => {
  it("the registry takes https servers, and plain http only on this machine", () => {
    const url = (u: string) => mcpServerBody.safeParse({ name: "crm", url: u }).success;
    expect(url("https://crm.example.com/mcp")).toBe(true);
    expect(url("http://127.0.0.1:8931/mcp")).toBe(true);
    expect(url("http://localhost/mcp")).toBe(true);
    expect(url("http://crm.example.com/mcp")).toBe(false);
    expect(url("http://127.0.0.1.example.com/mcp")).toBe(false);
    expect(url("ftp://127.0.0.1/mcp")).toBe(false);
  });

  it("accept the gateway's tools and MCP servers or tools the channel uses", () => {
    const ok = agentSettingsSchema.safeParse({ mcpServers: ["crm"], approvals: { askFirst: ["schedule_job", "mcp:crm", "mcp:crm/delete_contact"] } });
    expect(ok.success).toBe(true);
  });

  it("refuse unknown names and servers the channel does not use, saying what fits", () => {
    const unknown = agentSettingsSchema.safeParse({ approvals: { askFirst: ["bash"] } });
    expect(unknown.error?.issues[0]?.message).toContain(
      '"bash" cannot ask first: name one of the gateway\'s tools (current_time, recall, remember_note, schedule_job)',
    );
    const otherServer = agentSettingsSchema.safeParse({ mcpServers: ["crm"], approvals: { askFirst: ["mcp:billing/refund"] } });
    expect(otherServer.error?.issues).toEqual([
      expect.objectContaining({
        path: ["approvals", "askFirst", 0],
        message: 'mcp:billing/refund names the MCP server "billing", which this channel\'s mcpServers does not list',
      }),
    ]);
    expect(agentSettingsSchema.safeParse({ mcpServers: ["crm"], approvals: { askFirst: ["mcp:CRM"] } }).success).toBe(false);
  });
});
