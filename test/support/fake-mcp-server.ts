/**
 * A fake remote MCP server speaking the Streamable HTTP transport, as a web-standard fetch
 * handler (usable in unit tests as `fetch`, or served on 127.0.0.1 for `npm start`). It checks
 * what a real server checks: POST with a JSON body and an Accept of both `application/json` and
 * `text/event-stream` (406 otherwise), the bearer token (401 with WWW-Authenticate), JSON-RPC 2.0
 * framing (-32700, -32600), `initialize` first with a supported protocol version, then the
 * session id it gave (`Mcp-Session-Id`: 400 without, 404 unknown) and `MCP-Protocol-Version`
 * equal to the negotiated one (400 otherwise), and `notifications/initialized` before any other
 * request. `tools/list` and `tools/call` answer as JSON or, in `sse` mode, as an event stream
 * with a progress notification before the response. Unknown tools are JSON-RPC -32602; a tool
 * that throws answers `isError: true`.
 * https://modelcontextprotocol.io/specification/2025-06-18/basic/transports#streamable-http
 */

export interface FakeMcpTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  run(args: Record<string, unknown>): unknown;
}

export interface FakeMcpOptions {
  token: string;
  tools: FakeMcpTool[];
  /** How requests are answered: one JSON object (default) or an SSE stream. */
  mode?: "json" | "sse";
  /** Hand out session ids (default true); a stateless server gives none. */
  sessions?: boolean;
}

const SUPPORTED = ["2025-06-18", "2025-03-26"];
type Message = { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: Record<string, unknown> };

const rpcError = (id: unknown, code: number, message: string, status = 200) =>
  Response.json({ jsonrpc: "2.0", id: id ?? null, error: { code, message } }, { status });

export function createFakeMcpServer(options: FakeMcpOptions) {
  const sessions = new Map<string, { version: string; initialized: boolean }>();
  let stateless: { version: string; initialized: boolean } | null = null;
  const state = {
    /** Every JSON-RPC method received, in order (notifications included). */
    methods: [] as string[],
    calls: [] as { name: string; arguments: unknown }[],
    /** Requests refused before JSON-RPC (bad token, header, session). */
    refused: [] as { status: number; reason: string }[],
    /** Hold the next tools/call this long before answering (a slow tool). */
    delayMs: 0,
  };

  const refuse = (status: number, reason: string, headers: Record<string, string> = {}) => {
    state.refused.push({ status, reason });
    return Response.json({ jsonrpc: "2.0", id: null, error: { code: -32000, message: reason } }, { status, headers });
  };

  function answer(id: unknown, result: unknown): Response {
    const body = { jsonrpc: "2.0", id, result };
    if (options.mode !== "sse") return Response.json(body);
    const progress = { jsonrpc: "2.0", method: "notifications/message", params: { level: "info", data: "working" } };
    const stream = `event: message\nid: 1\ndata: ${JSON.stringify(progress)}\n\nevent: message\nid: 2\ndata: ${JSON.stringify(body)}\n\n`;
    return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
  }

  async function handle(request: Request): Promise<Response> {
    if (request.method !== "POST") return new Response(null, { status: 405, headers: { allow: "POST" } });
    const token = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
    if (token !== options.token) return refuse(401, "invalid_token", { "www-authenticate": 'Bearer error="invalid_token"' });
    const accept = request.headers.get("accept") ?? "";
    if (!accept.includes("application/json") || !accept.includes("text/event-stream"))
      return refuse(406, "Not Acceptable: Client must accept both application/json and text/event-stream");
    if (!(request.headers.get("content-type") ?? "").includes("application/json")) return refuse(415, "Unsupported Media Type");
    let message: Message;
    try {
      message = (await request.json()) as Message;
    } catch {
      return rpcError(null, -32700, "Parse error", 400);
    }
    if (message.jsonrpc !== "2.0" || typeof message.method !== "string") return rpcError(message.id, -32600, "Invalid Request", 400);
    state.methods.push(message.method);

    if (message.method === "initialize") {
      const asked = message.params?.protocolVersion;
      const version = typeof asked === "string" && SUPPORTED.includes(asked) ? asked : SUPPORTED[0]!;
      const result = { protocolVersion: version, capabilities: { tools: { listChanged: false } }, serverInfo: { name: "fake-mcp", version: "1.0.0" } };
      if (options.sessions === false) {
        stateless = { version, initialized: false };
        return answer(message.id, result);
      }
      const id = crypto.randomUUID();
      sessions.set(id, { version, initialized: false });
      const res = answer(message.id, result);
      res.headers.set("mcp-session-id", id);
      return res;
    }

    let session = stateless;
    if (options.sessions !== false) {
      const id = request.headers.get("mcp-session-id");
      if (!id) return refuse(400, "Bad Request: Mcp-Session-Id header is required");
      session = sessions.get(id) ?? null;
      if (!session) return refuse(404, "Session not found");
    }
    if (!session) return refuse(400, "Bad Request: Server not initialized");
    if (request.headers.get("mcp-protocol-version") !== session.version) return refuse(400, "Bad Request: Unsupported protocol version");

    if (message.method === "notifications/initialized") {
      session.initialized = true;
      return new Response(null, { status: 202 });
    }
    if (message.id === undefined) return new Response(null, { status: 202 });
    if (!session.initialized) return rpcError(message.id, -32002, "Server not initialized");
    if (message.method === "tools/list")
      return answer(message.id, { tools: options.tools.map(({ name, description, inputSchema }) => ({ name, description, inputSchema })) });
    if (message.method === "tools/call") {
      const name = message.params?.name;
      const tool = options.tools.find((t) => t.name === name);
      if (!tool) return rpcError(message.id, -32602, `Unknown tool: ${String(name)}`);
      const args = (message.params?.arguments ?? {}) as Record<string, unknown>;
      state.calls.push({ name: tool.name, arguments: args });
      if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
      try {
        const out = await tool.run(args);
        return answer(message.id, typeof out === "string" ? { content: [{ type: "text", text: out }] } : out);
      } catch (err) {
        return answer(message.id, { content: [{ type: "text", text: err instanceof Error ? err.message : String(err) }], isError: true });
      }
    }
    return rpcError(message.id, -32601, `Method not found: ${message.method}`);
  }

  return {
    handle,
    state,
    /** Forgets every session, as a restarted server does: the next request with an old id gets 404. */
    expireSessions() {
      sessions.clear();
    },
  };
}

export type FakeMcpServer = ReturnType<typeof createFakeMcpServer>;
