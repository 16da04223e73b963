/**
 * Request checks of the fake Messages API, as the real API makes them: required fields, block
 * shapes, tool_use/tool_result pairing, at most four cache_control breakpoints, no unknown
 * top-level fields, and image blocks (a supported media_type that matches the bytes, valid
 * base64, at most 5 MB, only from the user). Returns the invalid_request_error message, or
 * null when the body is valid.
 */
import { imageInfo } from "./image-info";
import { SERVER_BLOCK_TYPES, checkMcpServers, checkServerTool } from "./anthropic-validate-server-tools";

type Json = Record<string, unknown>;

const TOP_LEVEL = new Set([
  "model",
  "max_tokens",
  "messages",
  "system",
  "tools",
  "tool_choice",
  "stream",
  "metadata",
  "stop_sequences",
  "temperature",
  "top_p",
  "top_k",
  "thinking",
  "service_tier",
  "output_config",
  "container",
  "mcp_servers",
  "context_management",
]);
const BLOCK_TYPES = new Set(["text", "image", "document", "tool_use", "tool_result", "thinking", "redacted_thinking", "search_result", ...SERVER_BLOCK_TYPES]);
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
const IMAGE_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"];
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function checkCacheControl(block: Json, where: string): string | null {
  if (block.cache_control === undefined || block.cache_control === null) return null;
  const cc = block.cache_control;
  if (!isObject(cc) || cc.type !== "ephemeral") return `${where}.cache_control.type: Input should be 'ephemeral'`;
  if (cc.ttl !== undefined && cc.ttl !== "5m" && cc.ttl !== "1h") return `${where}.cache_control.ttl: Input should be '5m' or '1h'`;
  return null;
}

function checkImage(block: Json, where: string): string | null {
  const src = block.source;
  if (!isObject(src)) return `${where}.source: Field required`;
  if (src.type === "url") return typeof src.url === "string" && /^https?:\/\//.test(src.url) ? null : `${where}.source.url.url: Input should be a valid URL`;
  if (src.type !== "base64")
    return `${where}.source.type: Input tag '${String(src.type)}' found using 'type' does not match any of the expected tags: 'base64', 'url', 'file'`;
  if (typeof src.media_type !== "string" || !IMAGE_TYPES.includes(src.media_type))
    return `${where}.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
  if (typeof src.data !== "string" || src.data.length === 0 || src.data.length % 4 !== 0 || !BASE64.test(src.data))
    return `${where}.source.base64.data: The image data is not valid base64`;
  const bytes = Buffer.from(src.data, "base64");
  if (bytes.length > MAX_IMAGE_BYTES) return `${where}.source.base64: image exceeds 5 MB maximum: ${bytes.length} bytes > ${MAX_IMAGE_BYTES} bytes`;
  const info = imageInfo(bytes);
  if (!info) return `${where}.source.base64.data: Could not process image`;
  if (info.mediaType !== src.media_type) return `${where}.source.base64.data: Image does not match the provided media type ${src.media_type}`;
  return null;
}

function checkBlock(block: unknown, where: string): string | null {
  if (!isObject(block)) return `${where}: Input should be a valid dictionary`;
  if (typeof block.type !== "string" || !BLOCK_TYPES.has(block.type))
    return `${where}.type: Input tag '${String(block.type)}' found using 'type' does not match any of the expected tags`;
  if (block.type === "text" && (typeof block.text !== "string" || block.text.length === 0)) return `${where}.text: text content blocks must be non-empty`;
  if (block.type === "tool_use" && (typeof block.id !== "string" || typeof block.name !== "string" || !isObject(block.input)))
    return `${where}: tool_use blocks need id, name and an object input`;
  if (block.type === "tool_result" && typeof block.tool_use_id !== "string") return `${where}.tool_use_id: Field required`;
  if (block.type === "image") {
    const err = checkImage(block, where);
    if (err) return err;
  }
  if (block.type === "document") {
    const err = checkDocument(block, where);
    if (err) return err;
  }
  return checkCacheControl(block, where);
}

/** The document sources the Messages API takes for files: base64 PDF (32 MB per request) and plain text. */
function checkDocument(block: Json, where: string): string | null {
  const src = block.source;
  if (!isObject(src)) return `${where}.source: Field required`;
  if (src.type === "base64") {
    if (src.media_type !== "application/pdf") return `${where}.source.base64.media_type: Input should be 'application/pdf'`;
    if (typeof src.data !== "string") return `${where}.source.base64.data: Field required`;
    const bytes = Buffer.from(src.data, "base64");
    if (bytes.subarray(0, 5).toString("latin1") !== "%PDF-") return `${where}.source.base64.data: The PDF specified was not valid.`;
    return null;
  }
  if (src.type === "text") {
    if (src.media_type !== "text/plain") return `${where}.source.text.media_type: Input should be 'text/plain'`;
    return typeof src.data === "string" ? null : `${where}.source.text.data: Field required`;
  }
  if (src.type === "url" || src.type === "content" || src.type === "file") return null;
  return `${where}.source: Input tag '${String(src.type)}' found using 'type' does not match any of the expected tags`;
}

export function countBreakpoints(body: Json): number {
  let n = 0;
  const visit = (b: unknown) => {
    if (isObject(b) && isObject(b.cache_control)) n++;
  };
  if (Array.isArray(body.tools)) body.tools.forEach(visit);
  if (Array.isArray(body.system)) body.system.forEach(visit);
  if (Array.isArray(body.messages)) for (const m of body.messages) if (isObject(m) && Array.isArray(m.content)) m.content.forEach(visit);
  return n;
}

/** `betas` are the values of the anthropic-beta header (comma-separated values split). */
export function validateRequest(body: unknown, apiVersion = "2023-06-01", betas: readonly string[] = []): string | null {
  if (!isObject(body)) return "body: Input should be a valid dictionary";
  for (const key of Object.keys(body)) if (!TOP_LEVEL.has(key)) return `${key}: Extra inputs are not permitted`;
  // API version 2026-10-21 removed the sampling parameters.
  if (apiVersion >= "2026-10-21")
    for (const key of ["temperature", "top_p", "top_k"]) if (key in body) return `${key}: this parameter is not supported in API version ${apiVersion}`;
  if (typeof body.model !== "string" || !body.model) return "model: Field required";
  if (typeof body.max_tokens !== "number" || !Number.isInteger(body.max_tokens) || body.max_tokens < 1) return "max_tokens: Input should be a positive integer";
  if (body.stream !== undefined && typeof body.stream !== "boolean") return "stream: Input should be a valid boolean";
  if (body.system !== undefined && typeof body.system !== "string") {
    if (!Array.isArray(body.system)) return "system: Input should be a valid string or list";
    for (const [i, b] of body.system.entries()) {
      if (!isObject(b) || b.type !== "text" || typeof b.text !== "string" || !b.text) return `system.${i}: system blocks must be non-empty text blocks`;
      const cc = checkCacheControl(b, `system.${i}`);
      if (cc) return cc;
    }
  }
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) return "tools: Input should be a valid list";
    const names = new Set<string>();
    for (const [i, t] of body.tools.entries()) {
      if (!isObject(t) || typeof t.name !== "string" || !TOOL_NAME.test(t.name)) return `tools.${i}.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`;
      if (names.has(t.name)) return `tools: Tool names must be unique. Duplicate: ${t.name}`;
      names.add(t.name);
      if (t.type !== undefined && t.type !== "custom") {
        const err = checkServerTool(t, `tools.${i}`, betas);
        if (err) return err;
        continue;
      }
      if (!isObject(t.input_schema) || t.input_schema.type !== "object") return `tools.${i}.input_schema.type: Input should be 'object'`;
      const cc = checkCacheControl(t, `tools.${i}`);
      if (cc) return cc;
    }
  }
  if (body.tool_choice !== undefined && (!isObject(body.tool_choice) || !["auto", "any", "tool", "none"].includes(String(body.tool_choice.type))))
    return "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'";
  if (body.mcp_servers !== undefined) {
    const err = checkMcpServers(body.mcp_servers, betas);
    if (err) return err;
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) return "messages: at least one message is required";
  let pendingToolUses: string[] = [];
  for (const [i, m] of body.messages.entries()) {
    if (!isObject(m) || (m.role !== "user" && m.role !== "assistant")) return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (i === 0 && m.role !== "user") return 'messages: first message must use the "user" role';
    if (typeof m.content === "string") {
      if (!m.content) return `messages.${i}.content: text content must be non-empty`;
    } else if (Array.isArray(m.content)) {
      if (m.content.length === 0) return `messages.${i}.content: all messages must have non-empty content`;
      for (const [j, b] of m.content.entries()) {
        const err = checkBlock(b, `messages.${i}.content.${j}`);
        if (err) return err;
      }
    } else return `messages.${i}.content: Input should be a valid string or list`;
    const blocks = Array.isArray(m.content) ? (m.content as Json[]) : [];
    if (m.role === "assistant" && blocks.some((b) => b.type === "image"))
      return `messages.${i}.content: image content blocks are only allowed in user messages`;
    const serverBlock = m.role === "user" ? blocks.find((b) => SERVER_BLOCK_TYPES.includes(String(b.type))) : undefined;
    if (serverBlock) return `messages.${i}.content: ${String(serverBlock.type)} blocks are only allowed in assistant messages`;
    if (pendingToolUses.length) {
      const answered = new Set(m.role === "user" ? blocks.filter((b) => b.type === "tool_result").map((b) => String(b.tool_use_id)) : []);
      const missing = pendingToolUses.filter((id) => !answered.has(id));
      if (missing.length)
        return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(", ")}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
    } else if (m.role === "user") {
      const stray = blocks.find((b) => b.type === "tool_result");
      if (stray)
        return `messages.${i}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(stray.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
    }
    pendingToolUses = m.role === "assistant" ? blocks.filter((b) => b.type === "tool_use").map((b) => String(b.id)) : [];
  }
  const breakpoints = countBreakpoints(body);
  if (breakpoints > 4) return `A maximum of 4 blocks with cache_control may be provided. Found ${breakpoints}.`;
  return null;
}
