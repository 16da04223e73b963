/**
 * A fake Anthropic Messages API on 127.0.0.1 for the real @anthropic-ai/sdk (pointed at it with
 * baseURL / ANTHROPIC_BASE_URL). It checks what the API checks (x-api-key, anthropic-version,
 * the request shape), answers JSON or a correct SSE stream (message_start, ping, content blocks
 * with text_delta / input_json_delta, message_delta with cumulative usage, message_stop), plays
 * tool_use turns, returns errors with their real bodies and headers, can break a stream mid-way,
 * and measures prompt caching (anthropic-cache.ts) instead of assuming it.
 *
 * Answers: a scripted response if one is queued (`enqueue`), else a deterministic default:
 * after tool results it reports them; asked about the time (with current_time offered) or to
 * remember or schedule something (with remember_note / schedule_job offered) it calls that tool; a summarising request
 * (compaction) gets a summary; anything else gets "Answer #n" quoting the last message.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { PromptCache, estimateTokens, type CacheOutcome } from "./anthropic-cache";
import { validateRequest } from "./anthropic-validate";
import { imageInfo } from "./image-info";

type Json = Record<string, unknown>;

export type Scripted =
  /** `deltaDelayMs`: the text streams in 12-character deltas this far apart, as a model writing it would. */
  | { kind: "text"; text: string; deltaDelayMs?: number }
  | { kind: "tool_use"; name: string; input: Json; text?: string }
  /**
   * Content blocks as the API returns them (server_tool_use, web_search_tool_result, text with
   * citations, mcp_tool_use ...), ending the turn or pausing it; `serverToolUse` goes in usage.
   */
  | {
      kind: "blocks";
      content: Json[];
      stop?: "end_turn" | "pause_turn" | "tool_use";
      serverToolUse?: { web_search_requests: number; web_fetch_requests: number };
    }
  /** An error response; `retryAfter` seconds become the retry-after header; `errorCode` goes in error.details. */
  | { kind: "error"; status: 400 | 401 | 403 | 429 | 500 | 529; retryAfter?: number; errorCode?: string; message?: string }
  /** 200 and a stream that stops after the first text delta (or `afterDeltas` of `text`), the connection destroyed. */
  | { kind: "break"; text?: string; afterDeltas?: number; deltaDelayMs?: number }
  /** Accepts the request and never answers (timeouts). */
  | { kind: "hang" };

export interface RecordedRequest {
  at: number;
  headers: IncomingMessage["headers"];
  body: Json;
  raw: string;
  status: number;
  cache?: CacheOutcome;
  usage?: Json;
  answered?: Scripted["kind"];
}

export interface FakeAnthropicOptions {
  apiKey: string;
  /** Prefixes shorter than this are not cached (the real minimum is 1024-4096 tokens by model). */
  minCacheableTokens?: number;
  port?: number;
  /** Decides an answer from the request when nothing is queued (concurrent conversations that a FIFO script cannot order). */
  respond?: (body: Json) => Scripted | undefined;
}

const ERROR_TYPES: Record<number, [string, string]> = {
  400: ["invalid_request_error", "invalid request"],
  401: ["authentication_error", "invalid x-api-key"],
  403: ["permission_error", "Your API key does not have permission to use the specified resource."],
  404: ["not_found_error", "Not found"],
  429: ["rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"],
  500: ["api_error", "Internal server error"],
  529: ["overloaded_error", "Overloaded"],
};

/** API versions the fake speaks; 2026-10-21 is what @anthropic-ai/sdk 1.x sends. */
const API_VERSIONS = ["2023-06-01", "2026-10-21"];

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;

function lastUser(body: Json): Json | undefined {
  return [...((body.messages as Json[]) ?? [])].reverse().find((m) => m.role === "user");
}

function blocksOf(m: Json | undefined): Json[] {
  if (!m) return [];
  return typeof m.content === "string" ? [{ type: "text", text: m.content }] : (m.content as Json[]);
}

function textOf(m: Json | undefined): string {
  return blocksOf(m)
    .filter((b) => b.type === "text")
    .map((b) => String(b.text))
    .join("\n");
}

function offers(body: Json, tool: string): boolean {
  return Array.isArray(body.tools) && body.tools.some((t) => (t as Json).name === tool) && (body.tool_choice as Json | undefined)?.type !== "none";
}

type Answer = Extract<Scripted, { kind: "text" | "tool_use" | "blocks" }>;

function defaultAnswer(body: Json, n: number): Answer {
  const user = lastUser(body);
  const results = blocksOf(user).filter((b) => b.type === "tool_result");
  if (results.length)
    return { kind: "text", text: `Tool results: ${results.map((r) => (typeof r.content === "string" ? r.content : JSON.stringify(r.content))).join(" | ")}` };
  const system = typeof body.system === "string" ? body.system : JSON.stringify(body.system ?? "");
  const text = textOf(user);
  if (system.includes("running memory of a conversation")) {
    const lines = text
      .split("\n")
      .filter((l) => l.startsWith("Person:"))
      .map((l) => l.slice(8, 60));
    return { kind: "text", text: `Summary: the person said ${lines.join("; ")}.` };
  }
  if (/\btime\b/i.test(text) && offers(body, "current_time"))
    return { kind: "tool_use", name: "current_time", input: { timezone: "UTC" }, text: "Let me check the clock." };
  const schedule = /schedule (?:a |an )?(.+?)(?:\n|<\/|$)/i.exec(text);
  if (schedule && offers(body, "schedule_job"))
    return {
      kind: "tool_use",
      name: "schedule_job",
      input: { name: schedule[1]!.trim().slice(0, 40), cron: "0 8 * * *", timezone: "Europe/Lisbon", prompt: schedule[1]!.trim() },
    };
  const remember = /remember (?:that )?(.+?)(?:\n|<\/|$)/i.exec(text);
  if (remember && offers(body, "remember_note")) return { kind: "tool_use", name: "remember_note", input: { note: remember[1]!.trim() } };
  const said = text
    .replace(/<[^>]*>/g, "")
    .trim()
    .slice(0, 200);
  const seen = blocksOf(user).flatMap((b) => {
    const src = b.type === "image" ? (b.source as Json) : undefined;
    const info = typeof src?.data === "string" ? imageInfo(Buffer.from(src.data, "base64")) : null;
    return info ? [`${info.mediaType} ${info.width ?? "?"}x${info.height ?? "?"}`] : [];
  });
  const docs = blocksOf(user).flatMap((b) => {
    const src = b.type === "document" ? (b.source as Json) : undefined;
    if (!src) return [];
    return [
      src.type === "text"
        ? `text "${String(b.title ?? "untitled")}" ${String(src.data).length} chars`
        : `${String(src.media_type)} "${String(b.title ?? "untitled")}"`,
    ];
  });
  if (docs.length) seen.push(...docs.map((d) => `document ${d}`));
  // Says what pictures and documents it was shown, so a test can tell the model really received them.
  if (seen.length)
    return {
      kind: "text",
      text: `Answer #${n}: I see ${seen.length} ${docs.length ? "file" : "image"}${seen.length === 1 ? "" : "s"} (${seen.join(", ")}); you said "${said}"`,
    };
  return { kind: "text", text: `Answer #${n}: you said "${said}"` };
}

export async function startFakeAnthropic(options: FakeAnthropicOptions) {
  const requests: RecordedRequest[] = [];
  const script: Scripted[] = [];
  const cache = new PromptCache(options.minCacheableTokens ?? 1024);
  const hung = new Set<ServerResponse>();
  /** Files the code-execution tool "created", served by the Files API (GET /v1/files/:id and /content). */
  const files = new Map<string, { filename: string; mimeType: string; bytes: Buffer; downloadable: boolean }>();
  let answers = 0;

  function sendError(res: ServerResponse, rec: RecordedRequest, status: number, message?: string, extra: { retryAfter?: number; errorCode?: string } = {}) {
    const [type, defaultMessage] = ERROR_TYPES[status] ?? ["api_error", "error"];
    const requestId = id("req");
    const headers: Record<string, string> = { "content-type": "application/json", "request-id": requestId };
    if (extra.retryAfter !== undefined) headers["retry-after"] = String(extra.retryAfter);
    if (status === 429)
      Object.assign(headers, {
        "anthropic-ratelimit-requests-limit": "50",
        "anthropic-ratelimit-requests-remaining": "0",
        "anthropic-ratelimit-requests-reset": new Date(Date.now() + (extra.retryAfter ?? 60) * 1000).toISOString(),
      });
    // The SDK retries on its own when told to; the gateway decides itself, so say nothing here.
    const error: Json = { type, message: message ?? defaultMessage };
    if (extra.errorCode) error.details = { error_code: extra.errorCode };
    rec.status = status;
    res.writeHead(status, headers).end(JSON.stringify({ type: "error", error, request_id: requestId }));
  }

  function message(body: Json, answer: Answer, usage: Json) {
    let content: Json[] = [];
    if (answer.kind === "blocks") content = answer.content.map((b) => (b.type === "text" ? { citations: null, ...b } : b));
    else if (answer.kind === "text") content.push({ type: "text", text: answer.text, citations: null });
    else {
      if (answer.text) content.push({ type: "text", text: answer.text, citations: null });
      content.push({ type: "tool_use", id: id("toolu"), name: answer.name, input: answer.input });
    }
    return {
      id: id("msg"),
      type: "message",
      role: "assistant",
      model: body.model,
      content,
      stop_reason: answer.kind === "tool_use" ? "tool_use" : answer.kind === "blocks" ? (answer.stop ?? "end_turn") : "end_turn",
      stop_sequence: null,
      usage,
    };
  }

  function sse(res: ServerResponse, event: string, data: Json) {
    res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
  }

  async function stream(res: ServerResponse, msg: ReturnType<typeof message>, pace: { breakAfter?: number; deltaDelayMs?: number }) {
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "request-id": id("req") });
    const usage = msg.usage as Json;
    sse(res, "message_start", { message: { ...msg, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } });
    sse(res, "ping", {});
    for (const [index, block] of (msg.content as Json[]).entries()) {
      if (block.type === "text") {
        const citations = Array.isArray(block.citations) ? (block.citations as Json[]) : null;
        sse(res, "content_block_start", { index, content_block: { type: "text", text: "", citations: citations ? [] : null } });
        const text = String(block.text);
        const chunks = text.match(/[\s\S]{1,12}/g) ?? [text];
        for (const [i, chunk] of chunks.entries()) {
          if (pace.deltaDelayMs && i > 0) await new Promise((r) => setTimeout(r, pace.deltaDelayMs));
          if (res.destroyed) return;
          sse(res, "content_block_delta", { index, delta: { type: "text_delta", text: chunk } });
          if (pace.breakAfter !== undefined && i + 1 >= pace.breakAfter) {
            // Let what was written reach the client, then cut the connection mid-body.
            setTimeout(() => res.socket?.destroy(), 50);
            return;
          }
        }
        for (const citation of citations ?? []) sse(res, "content_block_delta", { index, delta: { type: "citations_delta", citation } });
      } else if (block.type !== "tool_use" && block.type !== "server_tool_use" && block.type !== "mcp_tool_use") {
        // Tool results arrive whole in their content_block_start.
        sse(res, "content_block_start", { index, content_block: block });
      } else {
        sse(res, "content_block_start", { index, content_block: { ...block, input: {} } });
        const json = JSON.stringify(block.input);
        for (const part of json.match(/[\s\S]{1,10}/g) ?? [])
          sse(res, "content_block_delta", { index, delta: { type: "input_json_delta", partial_json: part } });
      }
      sse(res, "content_block_stop", { index });
    }
    sse(res, "message_delta", { delta: { stop_reason: msg.stop_reason, stop_sequence: null }, usage: { ...usage } });
    sse(res, "message_stop", {});
    res.end();
  }

  /** The Files API (beta `files-api-2025-04-14`): a file's metadata, or its bytes; only files the tools created are downloadable. */
  function serveFile(req: IncomingMessage, res: ServerResponse, rec: RecordedRequest, path: string) {
    const key = req.headers["x-api-key"] ?? /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ""))?.[1];
    if (typeof key !== "string" || !safeEqual(key, options.apiKey)) return sendError(res, rec, 401);
    if (!req.headers["anthropic-version"]) return sendError(res, rec, 400, "anthropic-version: header is required");
    if (!String(req.headers["anthropic-beta"] ?? "").includes("files-api-2025-04-14"))
      return sendError(res, rec, 400, "The Files API is in beta: send anthropic-beta: files-api-2025-04-14");
    const m = /^\/v1\/files\/([^/]+)(\/content)?$/.exec(path);
    const file = m ? files.get(decodeURIComponent(m[1] ?? "")) : undefined;
    if (!m || !file) return sendError(res, rec, 404, `File not found: ${m?.[1] ?? path}`);
    rec.status = 200;
    if (!m[2])
      return res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          type: "file",
          id: m[1],
          filename: file.filename,
          mime_type: file.mimeType,
          size_bytes: file.bytes.length,
          created_at: new Date().toISOString(),
          downloadable: file.downloadable,
        }),
      );
    if (!file.downloadable) return sendError(res, rec, 400, "This file is not downloadable");
    res.writeHead(200, { "content-type": file.mimeType, "content-length": String(file.bytes.length) }).end(file.bytes);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, raw: string) {
    const rec: RecordedRequest = { at: Date.now(), headers: req.headers, body: {}, raw, status: 0 };
    requests.push(rec);
    const url = new URL(req.url ?? "/", "http://fake");
    if (req.method === "GET" && url.pathname.startsWith("/v1/files/")) return serveFile(req, res, rec, url.pathname);
    if (req.method !== "POST" || url.pathname !== "/v1/messages") return sendError(res, rec, 404, `Not found: ${req.method} ${url.pathname}`);
    // Keys travel as x-api-key, or (SDKs for API version 2026-10-21 and later) as a bearer token.
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ""))?.[1];
    const key = req.headers["x-api-key"] ?? bearer;
    if (typeof key !== "string" || !safeEqual(key, options.apiKey)) return sendError(res, rec, 401);
    const version = req.headers["anthropic-version"];
    if (!version) return sendError(res, rec, 400, "anthropic-version: header is required");
    if (typeof version !== "string" || !API_VERSIONS.includes(version))
      return sendError(res, rec, 400, `anthropic-version: unknown version ${String(version)}`);
    if (!String(req.headers["content-type"] ?? "").includes("application/json")) return sendError(res, rec, 400, "content-type must be application/json");
    try {
      rec.body = JSON.parse(raw) as Json;
    } catch {
      return sendError(res, rec, 400, "There was an error parsing the body of your request.");
    }
    const betas = String(req.headers["anthropic-beta"] ?? "")
      .split(",")
      .map((b) => b.trim())
      .filter(Boolean);
    const invalid = validateRequest(rec.body, version, betas);
    if (invalid) return sendError(res, rec, 400, invalid);

    const scripted = script.shift() ?? options.respond?.(rec.body);
    if (scripted?.kind === "error") return sendError(res, rec, scripted.status, scripted.message, scripted);
    if (scripted?.kind === "hang") {
      rec.answered = "hang";
      hung.add(res);
      return;
    }
    const body = rec.body;
    const c = cache.process(body);
    rec.cache = c;
    answers++;
    const answer: Answer =
      scripted?.kind === "text" || scripted?.kind === "tool_use" || scripted?.kind === "blocks"
        ? scripted
        : scripted?.kind === "break" && scripted.text
          ? { kind: "text", text: scripted.text }
          : defaultAnswer(body, answers);
    const outputTokens =
      answer.kind === "text"
        ? estimateTokens(answer.text)
        : answer.kind === "blocks"
          ? estimateTokens(JSON.stringify(answer.content))
          : estimateTokens(JSON.stringify(answer.input)) + estimateTokens(answer.text ?? "") + 10;
    const usage: Json = {
      input_tokens: c.inputTokens,
      cache_creation_input_tokens: c.cacheWriteTokens,
      cache_read_input_tokens: c.cacheReadTokens,
      cache_creation: { ephemeral_5m_input_tokens: c.cacheWriteTokens - c.cacheWrite1hTokens, ephemeral_1h_input_tokens: c.cacheWrite1hTokens },
      output_tokens: Math.min(outputTokens, Number(body.max_tokens)),
      service_tier: "standard",
      ...(answer.kind === "blocks" && answer.serverToolUse ? { server_tool_use: answer.serverToolUse } : {}),
    };
    rec.usage = usage;
    rec.answered = scripted?.kind ?? answer.kind;
    rec.status = 200;
    const msg = message(body, answer, usage);
    const pace =
      scripted?.kind === "break"
        ? { breakAfter: scripted.afterDeltas ?? 1, deltaDelayMs: scripted.deltaDelayMs }
        : { deltaDelayMs: scripted?.kind === "text" ? scripted.deltaDelayMs : undefined };
    if (body.stream === true) void stream(res, msg, pace);
    else if (scripted?.kind === "break") res.socket?.destroy();
    else res.writeHead(200, { "content-type": "application/json", "request-id": id("req") }).end(JSON.stringify(msg));
  }

  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (d: Buffer) => (raw += d.toString("utf8")));
    req.on("end", () => void handle(req, res, raw));
  });
  await new Promise<void>((r) => server.listen(options.port ?? 0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** Requests the fake answered with a model message (not errors). */
    answered: () => requests.filter((r) => r.status === 200),
    enqueue: (...items: Scripted[]) => void script.push(...items),
    /** A file as code execution leaves it: its id goes in a bash_code_execution_output block, the Files API serves it. */
    addFile: (fileId: string, filename: string, bytes: Uint8Array, mimeType = "application/octet-stream", downloadable = true) =>
      void files.set(fileId, { filename, mimeType, bytes: Buffer.from(bytes), downloadable }),
    pending: () => script.length,
    close: async () => {
      for (const res of hung) res.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export type FakeAnthropic = Awaited<ReturnType<typeof startFakeAnthropic>>;
