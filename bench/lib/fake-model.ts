/**
 * A slow, caching-aware fake of the Anthropic Messages API (`POST /v1/messages`, JSON or SSE
 * stream) on 127.0.0.1, for the bench's model cases: it waits `delayMs` before answering,
 * records each request's size and usage, and accounts prompt caching as the real API does —
 * a prefix ending at a `cache_control` breakpoint is written to the cache (if it reaches the
 * minimum cacheable length), and a later request reads the longest cached prefix found at a
 * breakpoint or up to 20 blocks before one. Tokens are estimated as characters / 4.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const MIN_CACHEABLE_TOKENS = 1024;
const CACHE_TTL_MS = 5 * 60_000;
const LOOKBACK_BLOCKS = 20;

export interface ModelUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export interface RecordedCall {
  /** Request body size in bytes: what the gateway sent to the model. */
  requestBytes: number;
  usage: ModelUsage;
  stream: boolean;
}

type Json = Record<string, unknown>;
const tokensOf = (text: string) => Math.ceil(text.length / 4);

/** The prompt as the cache sees it: tools, then system blocks, then message blocks, in order. */
function promptBlocks(body: Json): { key: string; breakpoint: boolean }[] {
  const blocks: { key: string; breakpoint: boolean }[] = [];
  const add = (block: unknown, role: string) => {
    const { cache_control, ...rest } = (typeof block === "string" ? { type: "text", text: block } : block) as Json;
    blocks.push({ key: JSON.stringify({ role, ...rest }), breakpoint: cache_control != null });
  };
  for (const tool of (body.tools as unknown[] | undefined) ?? []) add(tool, "tool");
  const system = body.system;
  if (typeof system === "string") add(system, "system");
  else for (const block of (system as unknown[] | undefined) ?? []) add(block, "system");
  for (const m of body.messages as { role: string; content: unknown }[]) {
    if (typeof m.content === "string") add(m.content, m.role);
    else for (const block of m.content as unknown[]) add(block, m.role);
  }
  return blocks;
}

function lastUserText(body: Json): string {
  const last = [...(body.messages as { role: string; content: unknown }[])].reverse().find((m) => m.role === "user");
  if (!last) return "";
  if (typeof last.content === "string") return last.content;
  return (last.content as Json[]).filter((b) => b.type === "text").map((b) => String(b.text)).join("\n");
}

function invalid(body: unknown): string | null {
  if (typeof body !== "object" || body === null) return "body: Input should be a valid dictionary";
  const b = body as Json;
  if (typeof b.model !== "string" || !b.model) return "model: Field required";
  if (!Number.isInteger(b.max_tokens) || (b.max_tokens as number) < 1) return "max_tokens: Field required";
  if (!Array.isArray(b.messages) || b.messages.length === 0) return "messages: at least one message is required";
  return null;
}

function sendError(res: ServerResponse, status: number, type: string, message: string) {
  res.writeHead(status, { "content-type": "application/json", "request-id": `req_${randomBytes(8).toString("hex")}` }).end(JSON.stringify({ type: "error", error: { type, message } }));
}

export async function startFakeModel(port = 0) {
  let delayMs = 0;
  const calls: RecordedCall[] = [];
  const cache = new Map<string, number>();

  function account(body: Json, outputTokens: number): ModelUsage {
    const blocks = promptBlocks(body);
    const hashes: string[] = [];
    const tokens: number[] = [];
    let hash = "";
    let total = 0;
    for (const block of blocks) {
      hash = createHash("sha256").update(hash).update(block.key).digest("hex");
      total += tokensOf(block.key);
      hashes.push(hash);
      tokens.push(total);
    }
    const now = Date.now();
    const live = (h: string | undefined) => h !== undefined && (cache.get(h) ?? 0) > now;
    const breakpoints = blocks.flatMap((b, i) => (b.breakpoint ? [i] : []));
    let read = 0;
    search: for (const b of [...breakpoints].reverse()) {
      for (let j = b; j >= Math.max(0, b - LOOKBACK_BLOCKS); j--) {
        if (live(hashes[j])) {
          read = tokens[j] ?? 0;
          cache.set(hashes[j] as string, now + CACHE_TTL_MS);
          break search;
        }
      }
    }
    let cachedUpTo = read;
    for (const b of breakpoints) {
      const upTo = tokens[b] ?? 0;
      if (upTo < MIN_CACHEABLE_TOKENS) continue;
      cache.set(hashes[b] as string, now + CACHE_TTL_MS);
      cachedUpTo = Math.max(cachedUpTo, upTo);
    }
    return { input_tokens: total - cachedUpTo, output_tokens: outputTokens, cache_creation_input_tokens: cachedUpTo - read, cache_read_input_tokens: read };
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      if (req.method !== "POST" || req.url?.split("?")[0] !== "/v1/messages") return sendError(res, 404, "not_found_error", "Not found");
      // Current SDKs send the key as `Authorization: Bearer`, older ones as `x-api-key`; the API takes both.
      if (!req.headers["x-api-key"] && !/^Bearer \S+/.test(req.headers.authorization ?? "")) return sendError(res, 401, "authentication_error", "x-api-key or Authorization: Bearer header is required");
      if (!req.headers["anthropic-version"]) return sendError(res, 400, "invalid_request_error", "anthropic-version: header is required");
      const raw = Buffer.concat(chunks);
      let body: Json;
      try {
        body = JSON.parse(raw.toString("utf8")) as Json;
      } catch {
        return sendError(res, 400, "invalid_request_error", "There was an error parsing the body of your request");
      }
      const problem = invalid(body);
      if (problem) return sendError(res, 400, "invalid_request_error", problem);
      await new Promise((r) => setTimeout(r, delayMs));
      const text = `Fake model reply to: ${lastUserText(body)}`;
      const usage = account(body, tokensOf(text));
      const stream = body.stream === true;
      calls.push({ requestBytes: raw.length, usage, stream });
      const message = { id: `msg_${randomBytes(12).toString("hex")}`, type: "message", role: "assistant", model: body.model, content: [{ type: "text", text }], stop_reason: "end_turn", stop_sequence: null, usage };
      const headers = { "request-id": `req_${randomBytes(8).toString("hex")}` };
      if (!stream) return res.writeHead(200, { ...headers, "content-type": "application/json" }).end(JSON.stringify(message));
      res.writeHead(200, { ...headers, "content-type": "text/event-stream", "cache-control": "no-cache" });
      const event = (type: string, data: Json) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
      event("message_start", { message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } });
      event("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
      event("content_block_delta", { index: 0, delta: { type: "text_delta", text } });
      event("content_block_stop", { index: 0 });
      event("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
      event("message_stop", {});
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Time the fake waits before it answers each request. */
    setDelay(ms: number) {
      delayMs = ms;
    },
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakeModel = Awaited<ReturnType<typeof startFakeModel>>;
