/**
 * What a container may ask the model for. The container has no network (`--network none`), but
 * the Messages API itself can reach the network on a request's behalf: a content block with a
 * `url` source is fetched by Anthropic, server tools (web_search, web_fetch, code_execution, MCP
 * connectors) browse or run code elsewhere, and a `file` source reads the account's Files API.
 * Any of these would be a way out (a URL carrying workspace data in its query). So the proxy
 * passes only an allowlist: client tools (name, description, input_schema), and content blocks
 * whose bytes are inline. The gateway's own tools (notes, recall, schedule_job, the clock) are
 * client tools like the container's: the proxy sees nothing special about them, and the bridge
 * relays their calls to the gateway, which checks them against the turn it sent.
 *
 * Server tools and MCP servers the gateway gave the turn are added by the bridge itself from
 * the spec (as it adds the key), never taken from the container's request: a request that names
 * a server tool, carries `mcp_servers` or a URL source is refused, so the container cannot
 * choose what Anthropic fetches or runs on its behalf, and an MCP server's token never enters
 * the container. The blocks those tools produce (`server_tool_use`, `web_search_tool_result`,
 * `mcp_tool_use`, ...) come back in the assistant turns of later requests; each must be one the
 * API itself returned in this run (`known`), so the container cannot forge a call for the API to run.
 */

type Json = Record<string, unknown>;

/** Content block types a conversation of client tools consists of. */
const BLOCK_TYPES = new Set(["text", "image", "document", "tool_use", "tool_result", "thinking", "redacted_thinking"]);
/** Sources whose data is in the request itself. */
const INLINE_SOURCES = new Set(["base64", "text"]);
const TOOL_CHOICES = new Set(["auto", "any", "tool", "none"]);

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** True for a block (cache hint aside) the Messages API returned earlier in this run. */
export type KnownBlock = (block: Json) => boolean;

function blockProblem(block: unknown, where: string, known: KnownBlock | null): string | null {
  if (typeof block === "string") return null;
  if (!isObject(block) || typeof block.type !== "string") return `${where}: not a content block`;
  if (!BLOCK_TYPES.has(block.type)) {
    if (known?.(block)) return null;
    return `${where}: content blocks of type "${block.type}" are not allowed from a container unless the API returned them in this run`;
  }
  if (block.source !== undefined) {
    const source = block.source as Json;
    if (!isObject(source) || !INLINE_SOURCES.has(String(source.type)))
      return `${where}: only inline (base64 or text) sources are allowed, not "${String((source as Json)?.type)}"`;
  }
  if (block.type === "tool_result" && Array.isArray(block.content)) {
    for (const [i, inner] of block.content.entries()) {
      const problem = blockProblem(inner, `${where}.content[${i}]`, null);
      if (problem) return problem;
    }
  }
  return null;
}

/**
 * Why this request must not leave the bridge, or null when every part of it is allowed.
 * `known` recognises the server-produced blocks the API returned in this run; they pass only in
 * assistant turns.
 */
export function containerRequestProblem(asked: Json, known: KnownBlock | null = null): string | null {
  if (asked.mcp_servers !== undefined) return "mcp_servers are not allowed from a container (the bridge adds the turn's own)";
  if (!Array.isArray(asked.messages)) return "messages must be a list";
  for (const [m, message] of asked.messages.entries()) {
    if (!isObject(message)) return `messages[${m}]: not a message`;
    const content = message.content;
    if (typeof content === "string") continue;
    if (!Array.isArray(content)) return `messages[${m}].content must be text or a list of blocks`;
    for (const [b, block] of content.entries()) {
      const problem = blockProblem(block, `messages[${m}].content[${b}]`, message.role === "assistant" ? known : null);
      if (problem) return problem;
    }
  }
  if (asked.system !== undefined && typeof asked.system !== "string") {
    if (!Array.isArray(asked.system) || !asked.system.every((b) => isObject(b) && b.type === "text")) return "system must be text or text blocks";
  }
  if (asked.tools !== undefined) {
    if (!Array.isArray(asked.tools)) return "tools must be a list";
    for (const [t, tool] of asked.tools.entries()) {
      if (!isObject(tool) || typeof tool.name !== "string" || !isObject(tool.input_schema))
        return `tools[${t}]: only client tools (name, input_schema) are allowed`;
      if (tool.type !== undefined && tool.type !== "custom") return `tools[${t}]: server tools ("${String(tool.type)}") are not allowed from a container`;
    }
  }
  if (asked.tool_choice !== undefined && !(isObject(asked.tool_choice) && TOOL_CHOICES.has(String(asked.tool_choice.type))))
    return "tool_choice is not one of auto, any, tool, none";
  return null;
}

/** The allowed fields of a client tool, so nothing else (cache hints aside) rides along. */
export function clientTools(tools: unknown): Json[] | undefined {
  if (!Array.isArray(tools)) return undefined;
  return tools.map((t: Json) => ({
    name: t.name,
    ...(t.description !== undefined ? { description: t.description } : {}),
    input_schema: t.input_schema,
    ...(t.cache_control !== undefined ? { cache_control: t.cache_control } : {}),
  }));
}

/**
 * The blocks of an API answer the API alone produces (server tool calls and results, MCP calls
 * and results), each as the key `known` compares: its JSON without the cache hint the runner may
 * add to the last block of a request.
 */
export function serverBlockKeys(content: unknown): string[] {
  if (!Array.isArray(content)) return [];
  return content.filter((b): b is Json => isObject(b) && typeof b.type === "string" && !BLOCK_TYPES.has(b.type)).map(serverBlockKey);
}

export function serverBlockKey(block: Json): string {
  const { cache_control: _hint, ...rest } = block;
  return JSON.stringify(rest);
}
