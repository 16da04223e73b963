/**
 * A client for MCP's Streamable HTTP transport, for the MCP tools the gateway calls itself (the
 * ask-first ones, mcp-ask-first.ts): JSON-RPC 2.0 messages POSTed to the server's one endpoint,
 * `initialize` then `notifications/initialized`, then `tools/list` and `tools/call`. A request is
 * answered with one JSON object or with an SSE stream carrying the response (and whatever
 * notifications come before it); a notification with 202. The session id the server gives at
 * initialisation (`Mcp-Session-Id`) and the negotiated `MCP-Protocol-Version` go on every later
 * request; a 404 for the session starts a new one, once. Every request is bounded in time and
 * every answer in size; failures are McpErrors, which the tools turn into tool errors.
 * https://modelcontextprotocol.io/specification/2025-06-18/basic/transports#streamable-http
 */

/** The revision asked for at initialisation; the server may answer with another it supports. */
export const MCP_PROTOCOL_VERSION = "2025-06-18";
/** Revisions whose Streamable HTTP this client speaks (sessions and the version header as above). */
const SUPPORTED_VERSIONS = new Set(["2025-06-18", "2025-03-26"]);
/** The most of one answer read from a server (a tools/list or a tool's result). */
export const MCP_MAX_RESPONSE_BYTES = 2 * 1024 * 1024;
/** Pages of tools/list followed before giving up on a server that keeps paginating. */
const MAX_LIST_PAGES = 10;

export class McpError extends Error {
  constructor(
    message: string,
    /** The HTTP status, when the server answered with an error status. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface McpClientOptions {
  url: string;
  /** Sent as `Authorization: Bearer`; never logged or put in an error. */
  token?: string;
  fetch: typeof fetch;
  /** Per HTTP request, the whole SSE stream included. */
  timeoutMs: number;
  maxResponseBytes?: number;
}

/** A tool as tools/list describes it. */
export interface McpToolInfo {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}

/** A tools/call result's content block (the kinds this client reads; others are named only). */
type ContentBlock = { type: string; text?: string; mimeType?: string; data?: string; uri?: string; name?: string; resource?: { uri?: string; text?: string } };
export interface McpCallResult {
  content?: ContentBlock[];
  structuredContent?: unknown;
  isError?: boolean;
}

type JsonRpcMessage = { jsonrpc?: string; id?: number | string | null; method?: string; result?: unknown; error?: { code?: number; message?: string } };

/** Reads a body up to `max` bytes; more is an McpError (the rest is not read). */
async function readCapped(res: Response, max: number): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw new McpError(`the MCP server's answer is larger than ${max} bytes`);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/** The response to request `id` in an SSE stream: events' `data` lines are JSON-RPC messages; other messages are passed over. */
async function responseFromStream(res: Response, id: number, max: number): Promise<JsonRpcMessage> {
  if (!res.body) throw new McpError("the MCP server's event stream is empty");
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let buffer = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (value) {
        size += value.byteLength;
        if (size > max) throw new McpError(`the MCP server's answer is larger than ${max} bytes`);
        buffer += decoder.decode(value, { stream: true });
      }
      // Events end with a blank line (CRLF, LF or CR line ends).
      const events = buffer.replace(/\r\n?/g, "\n").split("\n\n");
      buffer = done ? "" : (events.pop() ?? "");
      for (const event of events) {
        const data = event
          .split("\n")
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).replace(/^ /, ""))
          .join("\n");
        if (!data) continue;
        const found = matching(parseJson(data), id);
        if (found) return found;
      }
      if (done) throw new McpError("the MCP server's event stream ended without the response");
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new McpError("the MCP server sent something that is not JSON");
  }
}

/** The response with this id in a message or a batch of them. */
function matching(message: unknown, id: number): JsonRpcMessage | undefined {
  const all = (Array.isArray(message) ? message : [message]) as JsonRpcMessage[];
  return all.find((m) => typeof m === "object" && m !== null && m.id === id && ("result" in m || "error" in m));
}

export function createMcpClient(opts: McpClientOptions) {
  const max = opts.maxResponseBytes ?? MCP_MAX_RESPONSE_BYTES;
  let nextId = 1;
  let session: { id: string | null; version: string } | null = null;
  /** The session id the initialize answer carried (a server without sessions sends none). */
  let offeredSession: string | null = null;

  function headers(): Record<string, string> {
    return {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(session?.id ? { "mcp-session-id": session.id } : {}),
      ...(session ? { "mcp-protocol-version": session.version } : {}),
    };
  }

  async function post(body: Record<string, unknown>, timeoutMs = opts.timeoutMs): Promise<Response> {
    try {
      return await opts.fetch(opts.url, { method: "POST", headers: headers(), body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
      throw new McpError(timedOut ? `the MCP server did not answer within ${timeoutMs} ms` : "the MCP server cannot be reached");
    }
  }

  function httpError(res: Response): McpError {
    if (res.status === 401 || res.status === 403) return new McpError(`the MCP server refused the gateway's token (HTTP ${res.status})`, res.status);
    return new McpError(`the MCP server answered HTTP ${res.status}`, res.status);
  }

  /** One JSON-RPC request and its result; a JSON-RPC error is an McpError with the server's message. */
  async function request(method: string, params: Record<string, unknown>, timeoutMs = opts.timeoutMs): Promise<unknown> {
    const id = nextId++;
    const res = await post({ jsonrpc: "2.0", id, method, params }, timeoutMs);
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw httpError(res);
    }
    if (method === "initialize") offeredSession = res.headers.get("mcp-session-id");
    const type = res.headers.get("content-type") ?? "";
    const timer = AbortSignal.timeout(timeoutMs);
    const read = type.includes("text/event-stream") ? responseFromStream(res, id, max) : readCapped(res, max).then((text) => matching(parseJson(text), id));
    const timeout = new Promise<never>((_, reject) =>
      timer.addEventListener("abort", () => reject(new McpError(`the MCP server did not finish its answer within ${timeoutMs} ms`))),
    );
    // Whichever comes second is settled unobserved.
    timeout.catch(() => undefined);
    read.catch(() => undefined);
    const message = await Promise.race([read, timeout]);
    if (!message) throw new McpError(`the MCP server's answer has no response to request ${id}`);
    if (message.error)
      throw new McpError(`the MCP server refused ${method}: ${String(message.error.message ?? "error").slice(0, 300)} (${message.error.code ?? "?"})`);
    return message.result;
  }

  async function initialize(): Promise<void> {
    session = null;
    const result = (await request("initialize", {
      protocolVersion: MCP_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: "loopgate", version: "1.0.0" },
    })) as { protocolVersion?: unknown } | undefined;
    const version = typeof result?.protocolVersion === "string" ? result.protocolVersion : "";
    if (!SUPPORTED_VERSIONS.has(version))
      throw new McpError(`the MCP server speaks protocol ${version || "(none)"}, not ${[...SUPPORTED_VERSIONS].join(" or ")}`);
    session = { id: offeredSession, version };
    const res = await post({ jsonrpc: "2.0", method: "notifications/initialized" });
    await res.body?.cancel().catch(() => undefined);
    if (!res.ok) throw httpError(res);
  }

  /** A request in the session, starting one first; a session the server forgot (404) is started again once. */
  async function inSession(method: string, params: Record<string, unknown>, timeoutMs?: number): Promise<unknown> {
    if (!session) await initialize();
    try {
      return await request(method, params, timeoutMs);
    } catch (err) {
      if (!(err instanceof McpError) || err.status !== 404 || !session?.id) throw err;
      await initialize();
      return request(method, params, timeoutMs);
    }
  }

  return {
    async listTools(): Promise<McpToolInfo[]> {
      const tools: McpToolInfo[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_LIST_PAGES; page++) {
        const result = (await inSession("tools/list", cursor ? { cursor } : {})) as { tools?: unknown; nextCursor?: unknown } | undefined;
        if (!Array.isArray(result?.tools)) throw new McpError("the MCP server's tools/list has no tools array");
        for (const t of result.tools as Partial<McpToolInfo>[]) {
          if (typeof t?.name !== "string" || typeof t.inputSchema !== "object" || t.inputSchema === null) continue;
          tools.push({ name: t.name, ...(typeof t.description === "string" ? { description: t.description } : {}), inputSchema: t.inputSchema });
        }
        if (typeof result.nextCursor !== "string" || !result.nextCursor) return tools;
        cursor = result.nextCursor;
      }
      throw new McpError(`the MCP server's tools/list goes on past ${MAX_LIST_PAGES} pages`);
    },
    /** `timeoutMs`: this call's own bound (a tool may take longer than a listing). */
    async callTool(name: string, args: unknown, timeoutMs?: number): Promise<McpCallResult> {
      const result = (await inSession("tools/call", { name, arguments: args ?? {} }, timeoutMs)) as McpCallResult | undefined;
      if (typeof result !== "object" || result === null) throw new McpError("the MCP server's tools/call result is not an object");
      return result;
    },
  };
}

export type McpClient = ReturnType<typeof createMcpClient>;
