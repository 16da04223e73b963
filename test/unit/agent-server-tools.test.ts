/**
 * Server tools and the MCP connector through the real @anthropic-ai/sdk against the fake
 * Messages API: the request shape of each tool (type with version date, name, max_uses, domain
 * lists, beta headers), trust tiers, pause_turn continuation, citations rendered as sources,
 * server tool usage and its cost, and mcp_servers only on the turns that were given them.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { costOf } from "../../src/agent/pricing";
import { agentSettingsSchema } from "../../src/agent/settings";
import type { TurnRequest, TurnResult } from "../../src/agent/types";
import { bashExecutionCall, fetchCitedText, searchCitedText, webFetchCall, webSearchCall } from "../fakes/anthropic-server-blocks";
import { validateRequest } from "../fakes/anthropic-validate";
import { claudeAgainstFake } from "../support/claude-runtime";

const { anthropic, runtime } = claudeAgainstFake("sk-ant-test-0123456789");
beforeEach(() => {
  anthropic().requests.length = 0;
  expect(anthropic().pending()).toBe(0);
});

const turn = (extra: Partial<TurnRequest> = {}): TurnRequest => ({
  channelId: "ch_1",
  channelType: "telegram",
  senderId: "42",
  trust: "paired",
  history: [],
  text: "What is new in Lisbon?",
  ...extra,
});

function ok(r: TurnResult) {
  if (!r.ok) throw new Error(`turn failed: ${r.error}`);
  return r;
}

const settings = agentSettingsSchema.parse({
  serverTools: {
    webSearch: { maxUses: 3, allowedDomains: ["visitlisboa.com", "publico.pt"] },
    webFetch: { maxUses: 2, blockedDomains: ["example.org"] },
    codeExecution: {},
  },
});

const LISBON = { url: "https://www.visitlisboa.com/en/events", title: "Events in Lisbon" };

describe("server tool requests", () => {
  it("sends each tool as documented, sorted by name among the gateway's tools, with the beta headers they need", async () => {
    anthropic().enqueue({ kind: "text", text: "Nothing new." });
    ok(await runtime().runTurn(turn({ settings })));
    const [req] = anthropic().requests;
    expect(req!.status).toBe(200);
    const tools = req!.body.tools as Record<string, unknown>[];
    expect(tools.map((t) => t.name)).toEqual(["code_execution", "current_time", "remember_note", "web_fetch", "web_search"]);
    expect(tools.find((t) => t.name === "web_search")).toEqual({
      type: "web_search_20250305",
      name: "web_search",
      max_uses: 3,
      allowed_domains: ["visitlisboa.com", "publico.pt"],
    });
    expect(tools.find((t) => t.name === "web_fetch")).toEqual({
      type: "web_fetch_20250910",
      name: "web_fetch",
      max_uses: 2,
      blocked_domains: ["example.org"],
      citations: { enabled: true },
    });
    expect(tools.find((t) => t.name === "code_execution")).toEqual({ type: "code_execution_20250825", name: "code_execution" });
    expect(String(req!.headers["anthropic-beta"]).split(",")).toEqual(["code-execution-2025-08-25", "web-fetch-2025-09-10"]);
  });

  it("sends no beta header and no server tools to a channel that did not switch them on", async () => {
    anthropic().enqueue({ kind: "text", text: "Hi." });
    ok(await runtime().runTurn(turn()));
    expect(anthropic().requests[0]!.headers["anthropic-beta"]).toBeUndefined();
    expect((anthropic().requests[0]!.body.tools as { name: string }[]).map((t) => t.name)).toEqual(["current_time", "remember_note"]);
  });

  it("gives public-tier senders none unless the channel opts them in", async () => {
    anthropic().enqueue({ kind: "text", text: "Hi." }, { kind: "text", text: "Hi again." });
    ok(await runtime().runTurn(turn({ trust: "public", settings })));
    const optedIn = agentSettingsSchema.parse({ serverTools: { webSearch: {}, publicSenders: true } });
    ok(await runtime().runTurn(turn({ trust: "public", settings: optedIn })));
    const names = anthropic().requests.map((r) => (r.body.tools as { name: string }[]).map((t) => t.name));
    expect(names[0]).toEqual(["current_time"]);
    expect(names[1]).toEqual(["current_time", "web_search"]);
  });

  it("keeps the request prefix byte-identical from one turn to the next", async () => {
    anthropic().enqueue({ kind: "text", text: "One." }, { kind: "text", text: "Two." });
    ok(await runtime().runTurn(turn({ settings })));
    ok(
      await runtime().runTurn(
        turn({
          settings,
          history: [
            { role: "user", content: "What is new in Lisbon?" },
            { role: "assistant", content: "One." },
          ],
        }),
      ),
    );
    const [a, b] = anthropic().requests.map((r) => r.raw);
    const prefix = (raw: string) => raw.slice(0, raw.indexOf('"messages"'));
    expect(prefix(a!)).toBe(prefix(b!));
  });

  it("refuses malformed settings as the API would refuse the tools", () => {
    expect(agentSettingsSchema.safeParse({ serverTools: { webSearch: { allowedDomains: ["a.com"], blockedDomains: ["b.com"] } } }).success).toBe(false);
    expect(agentSettingsSchema.safeParse({ serverTools: { webFetch: { allowedDomains: ["https://a.com"] } } }).success).toBe(false);
    expect(agentSettingsSchema.safeParse({ serverTools: { webSearch: { maxUses: 0 } } }).success).toBe(false);
  });
});

describe("the fake refuses what the API refuses", () => {
  const base = { model: "m", max_tokens: 10, messages: [{ role: "user", content: "hi" }] };
  it.each([
    [{ tools: [{ type: "web_search_20250305", name: "search" }] }, [], "name: Input should be 'web_search'"],
    [{ tools: [{ type: "web_search_20990101", name: "web_search" }] }, [], "does not match any of the expected tags"],
    [{ tools: [{ type: "web_search_20250305", name: "web_search", max_uses: 0 }] }, [], "max_uses"],
    [{ tools: [{ type: "web_search_20250305", name: "web_search", allowed_domains: ["a.com"], blocked_domains: ["b.com"] }] }, [], "Cannot specify both"],
    [{ tools: [{ type: "web_search_20250305", name: "web_search", allowed_domains: ["https://a.com"] }] }, [], "scheme"],
    [{ tools: [{ type: "web_search_20250305", name: "web_search", citations: { enabled: true } }] }, [], "citations: Extra inputs"],
    [{ tools: [{ type: "web_fetch_20250910", name: "web_fetch" }] }, [], "anthropic-beta: web-fetch-2025-09-10"],
    [{ tools: [{ type: "code_execution_20250825", name: "code_execution" }] }, [], "anthropic-beta: code-execution-2025-08-25"],
    [{ mcp_servers: [{ type: "url", url: "https://mcp.example.com/sse", name: "x" }] }, [], "mcp-client-2025-04-04"],
    [{ mcp_servers: [{ type: "url", url: "http://mcp.example.com/sse", name: "x" }] }, ["mcp-client-2025-04-04"], "https://"],
    [
      {
        mcp_servers: [
          { type: "url", url: "https://a.example/sse", name: "x" },
          { type: "url", url: "https://b.example/sse", name: "x" },
        ],
      },
      ["mcp-client-2025-04-04"],
      "unique",
    ],
    [{ mcp_servers: [{ type: "url", url: "https://a.example/sse", name: "x", headers: {} }] }, ["mcp-client-2025-04-04"], "headers: Extra inputs"],
  ])("%j with betas %j", (extra, betas, error) => {
    expect(validateRequest({ ...base, ...extra }, "2023-06-01", betas)).toContain(error);
  });
  it("accepts the documented shapes", () => {
    const body = {
      ...base,
      tools: [
        { type: "web_fetch_20250910", name: "web_fetch", max_uses: 1, allowed_domains: ["a.com"], citations: { enabled: true }, max_content_tokens: 1000 },
        { type: "web_search_20250305", name: "web_search", user_location: { type: "approximate", city: "Lisbon" } },
      ],
      mcp_servers: [
        {
          type: "url",
          url: "https://mcp.example.com/sse",
          name: "crm",
          authorization_token: "t",
          tool_configuration: { enabled: true, allowed_tools: ["find"] },
        },
      ],
    };
    expect(validateRequest(body, "2023-06-01", ["web-fetch-2025-09-10", "mcp-client-2025-04-04"])).toBeNull();
  });
});

describe("a turn with server tools", () => {
  it("continues a paused turn by sending the paused content back, then answers with the search's sources", async () => {
    const search = webSearchCall("Lisbon events this week", [LISBON]);
    anthropic().enqueue(
      {
        kind: "blocks",
        content: [{ type: "text", text: "Let me look that up." }, ...search],
        stop: "pause_turn",
        serverToolUse: { web_search_requests: 1, web_fetch_requests: 0 },
      },
      {
        kind: "blocks",
        content: [
          { type: "text", text: "This week " },
          searchCitedText("the Santo António festival fills Alfama", LISBON, "Santo António festival"),
          { type: "text", text: "." },
        ],
        serverToolUse: { web_search_requests: 1, web_fetch_requests: 0 },
      },
    );
    const r = ok(await runtime().runTurn(turn({ settings })));
    expect(anthropic().requests).toHaveLength(2);
    expect(anthropic().requests.every((q) => q.status === 200)).toBe(true);
    // The continuation ends with the paused assistant content as it came, and adds no user message.
    const messages = anthropic().requests[1]!.body.messages as { role: string; content: { type: string }[] }[];
    expect(messages.at(-1)!.role).toBe("assistant");
    expect(messages.at(-1)!.content.map((b) => b.type)).toEqual(["text", "server_tool_use", "web_search_tool_result"]);
    expect(messages.filter((m) => m.role === "user")).toHaveLength(1);
    expect(r.text).toBe(
      "Let me look that up.\n\nThis week the Santo António festival fills Alfama [1].\n\nSources:\n1. [Events in Lisbon](https://www.visitlisboa.com/en/events)",
    );
    expect(r.calls!.map((c) => c.stopReason)).toEqual(["pause_turn", "end_turn"]);
    expect(r.calls!.map((c) => c.webSearchRequests)).toEqual([1, 1]);
    expect(r.events!.filter((e) => e.kind === "agent.server_tool")).toHaveLength(1);
  });

  it("charges each search at the documented per-search price on top of the tokens", async () => {
    anthropic().enqueue({
      kind: "blocks",
      content: [...webSearchCall("q", [LISBON]), ...webSearchCall("q2", [LISBON]), { type: "text", text: "Done." }],
      serverToolUse: { web_search_requests: 2, web_fetch_requests: 0 },
    });
    const r = ok(await runtime().runTurn(turn({ settings })));
    const call = r.calls![0]!;
    const tokensOnly = costOf(call.model, {
      inputTokens: call.inputTokens,
      outputTokens: call.outputTokens,
      cacheWriteTokens: call.cacheWriteTokens,
      cacheReadTokens: call.cacheReadTokens,
    });
    expect(call.webSearchRequests).toBe(2);
    expect(call.costUsd - tokensOnly.costUsd).toBeCloseTo(0.02, 10);
    expect(r.usage.costUsd).toBeCloseTo(call.costUsd, 10);
  });

  it("lists a fetched page cited by the answer, and counts code runs", async () => {
    anthropic().enqueue({
      kind: "blocks",
      content: [
        ...webFetchCall("https://publico.pt/story", "A story", "The tram line 28 reopens on Monday."),
        ...bashExecutionCall("python3 -c 'print(28*2)'", "56\n"),
        fetchCitedText("Tram 28 reopens on Monday", "A story", "The tram line 28 reopens on Monday."),
        { type: "text", text: ", and 28 × 2 is 56." },
      ],
      serverToolUse: { web_search_requests: 0, web_fetch_requests: 1 },
    });
    const r = ok(await runtime().runTurn(turn({ settings })));
    expect(r.text).toBe("Tram 28 reopens on Monday [1], and 28 × 2 is 56.\n\nSources:\n1. [A story](https://publico.pt/story)");
    expect(r.calls![0]).toMatchObject({ webFetchRequests: 1, codeExecutionRequests: 1, webSearchRequests: 0 });
  });
});

describe("MCP servers", () => {
  const crm = { name: "crm", url: "https://crm.example.com/mcp", token: "mcp-token-secret", allowedTools: ["find_contact"] };

  it("sends the servers the turn was given, with the connector's beta header", async () => {
    anthropic().enqueue({
      kind: "blocks",
      content: [
        { type: "mcp_tool_use", id: "mcptoolu_01", name: "find_contact", server_name: "crm", input: { q: "Ada" } },
        { type: "mcp_tool_result", tool_use_id: "mcptoolu_01", is_error: false, content: [{ type: "text", text: "Ada: +351 555" }] },
        { type: "text", text: "Ada's number is +351 555." },
      ],
    });
    const r = ok(await runtime().runTurn(turn({ mcpServers: [crm] })));
    expect(r.text).toBe("Ada's number is +351 555.");
    const req = anthropic().requests[0]!;
    expect(req.status).toBe(200);
    expect(req.headers["anthropic-beta"]).toBe("mcp-client-2025-04-04");
    expect(req.body.mcp_servers).toEqual([
      {
        type: "url",
        url: "https://crm.example.com/mcp",
        name: "crm",
        authorization_token: "mcp-token-secret",
        tool_configuration: { enabled: true, allowed_tools: ["find_contact"] },
      },
    ]);
  });

  it("sends none to a turn that was not given any", async () => {
    anthropic().enqueue({ kind: "text", text: "Hi." });
    ok(await runtime().runTurn(turn()));
    expect(anthropic().requests[0]!.body.mcp_servers).toBeUndefined();
  });
});
