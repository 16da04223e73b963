/**
 * MCP tools that ask first (docs/agent.md, "Tool approvals"). The MCP connector runs tools at
 * Anthropic inside the request, where nothing can be held back; so for a server (`mcp:crm`) or
 * some of its tools (`mcp:crm/delete_contact`) marked ask-first in `agent.approvals.askFirst`, the
 * gateway lists the server's tools itself (mcp-client.ts) and offers those as ordinary client
 * tools named `mcp__<server>__<tool>`, with the server's input schema. Their calls then wait for
 * the approval like the gateway's own tools and run here, over Streamable HTTP. The server's
 * other tools stay with the connector (`allowed_tools` narrowed to them). A server that cannot
 * be listed is left out of the turn entirely, so an ask-first tool never runs unasked.
 */
import { MCP_ASK_FIRST } from "./approval-settings";
import { createMcpClient, McpError, type McpCallResult, type McpClient } from "./mcp-client";
import type { McpServerGrant } from "./mcp-request";
import type { ToolOutcome } from "./tools";
import type { McpDirectTool } from "./types";

export type { McpDirectTool } from "./types";

/** Client tool names the Messages API accepts. */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
/** How long listing a server's tools may take before the turn goes on without it. */
export const MCP_LIST_TIMEOUT_MS = 10_000;
/** How long one approved call may take. */
export const MCP_CALL_TIMEOUT_MS = 60_000;
/** The most of a tool's result the model is shown (characters). */
export const MCP_MAX_RESULT_CHARS = 50_000;

export interface McpTurnTools {
  /** Servers (or what is left of them) for the MCP connector. */
  connector: McpServerGrant[];
  direct: McpDirectTool[];
  /** Servers left out of the turn, and why (for the admin's feed). */
  skipped: { server: string; reason: string }[];
}

/** Which tools of which server ask first: every one (`all`) or those named. */
export function askFirstMcpTargets(askFirst: readonly string[]): Map<string, "all" | Set<string>> {
  const targets = new Map<string, "all" | Set<string>>();
  for (const entry of askFirst) {
    const m = MCP_ASK_FIRST.exec(entry);
    if (!m) continue;
    const [, server = "", tool] = m;
    const known = targets.get(server);
    if (!tool || known === "all") targets.set(server, "all");
    else targets.set(server, new Set([...(known ?? []), tool]));
  }
  return targets;
}

/**
 * The servers a turn that cannot wait for a decision (a container run) may still use through the
 * connector: a server marked whole is left out; one with marked tools keeps its other allowed
 * tools, or is left out when it lists none (its tools are not known without asking it).
 */
export function withoutAskFirstMcp<S extends { name: string; allowedTools?: string[] }>(servers: readonly S[], askFirst: readonly string[]): S[] {
  const targets = askFirstMcpTargets(askFirst);
  return servers.flatMap((server) => {
    const marked = targets.get(server.name);
    if (!marked) return [server];
    if (marked === "all" || !server.allowedTools) return [];
    const allowedTools = server.allowedTools.filter((tool) => !marked.has(tool));
    return allowedTools.length ? [{ ...server, allowedTools }] : [];
  });
}

/** A tools/call result as the model's tool result: text as it is, other blocks named, cut to size. */
export function callOutcome(result: McpCallResult): ToolOutcome {
  const parts = (result.content ?? []).map((b) => {
    if (b.type === "text") return b.text ?? "";
    if (b.type === "image" || b.type === "audio") return `[${b.type} ${b.mimeType ?? ""}, ${Math.floor(((b.data ?? "").length * 3) / 4)} bytes, not shown]`;
    if (b.type === "resource") return b.resource?.text ?? `[resource ${b.resource?.uri ?? ""}]`;
    if (b.type === "resource_link") return `[link ${b.name ?? ""} ${b.uri ?? ""}]`.replace(/\s+]/, "]");
    return `[${b.type} content, not shown]`;
  });
  let text = parts.join("\n");
  if (!text && result.structuredContent !== undefined) text = JSON.stringify(result.structuredContent);
  if (text.length > MCP_MAX_RESULT_CHARS) text = `${text.slice(0, MCP_MAX_RESULT_CHARS)}\n[…the rest of the result (${text.length} characters in all) was cut]`;
  return { content: text || "(the tool returned nothing)", ...(result.isError ? { isError: true } : {}) };
}

function directTool(
  client: McpClient,
  server: string,
  tool: { name: string; description?: string; inputSchema: Record<string, unknown> },
  timeoutMs: number,
): McpDirectTool {
  return {
    name: `mcp__${server}__${tool.name}`,
    server,
    tool: tool.name,
    description: `${tool.description ?? tool.name} (tool of the MCP server ${server}; a person approves each call)`.slice(0, 4_000),
    inputSchema: tool.inputSchema,
    async run(input) {
      try {
        return callOutcome(await client.callTool(tool.name, input, timeoutMs));
      } catch (err) {
        if (err instanceof McpError) return { content: `${server}/${tool.name} failed: ${err.message}`, isError: true };
        throw err;
      }
    },
  };
}

/**
 * Splits the turn's MCP servers: the ask-first tools become direct tools (their server listed
 * now), the rest stays with the connector. `fetch` reaches the servers (the Worker's fetch).
 */
export async function mcpTurnTools(
  grants: readonly McpServerGrant[],
  askFirst: readonly string[],
  fetcher: typeof fetch,
  timeouts: { listMs?: number; callMs?: number } = {},
): Promise<McpTurnTools> {
  const targets = askFirstMcpTargets(askFirst);
  const out: McpTurnTools = { connector: [], direct: [], skipped: [] };
  for (const grant of grants) {
    const target = targets.get(grant.name);
    // The connector reaches https servers only; a local http one serves its ask-first tools alone.
    const connectable = grant.url.startsWith("https://");
    if (!target) {
      if (connectable) out.connector.push(grant);
      else out.skipped.push({ server: grant.name, reason: "the MCP connector reaches only https servers; mark its tools ask-first to use it" });
      continue;
    }
    const client = createMcpClient({ url: grant.url, token: grant.token, fetch: fetcher, timeoutMs: timeouts.listMs ?? MCP_LIST_TIMEOUT_MS });
    let listed: Awaited<ReturnType<McpClient["listTools"]>>;
    try {
      listed = await client.listTools();
    } catch (err) {
      if (!(err instanceof McpError)) throw err;
      out.skipped.push({ server: grant.name, reason: `its ask-first tools cannot be listed: ${err.message}` });
      continue;
    }
    // Calls reuse the session the listing opened, with their own (longer) timeout.
    const callMs = timeouts.callMs ?? MCP_CALL_TIMEOUT_MS;
    const allowed = grant.allowedTools ? listed.filter((t) => grant.allowedTools!.includes(t.name)) : listed;
    const asks = (name: string) => target === "all" || target.has(name);
    const rest = allowed.filter((t) => !asks(t.name));
    for (const t of allowed.filter((t) => asks(t.name))) {
      const tool = directTool(client, grant.name, t, callMs);
      // A name the API would refuse, or an input schema that is not an object schema: not offered.
      if (!TOOL_NAME.test(tool.name) || t.inputSchema.type !== "object") {
        out.skipped.push({ server: grant.name, reason: `tool ${t.name} cannot be offered (name or input schema)` });
        continue;
      }
      out.direct.push(tool);
    }
    if (rest.length && connectable) out.connector.push({ ...grant, allowedTools: rest.map((t) => t.name) });
    else if (rest.length)
      out.skipped.push({
        server: grant.name,
        reason: `its tools that do not ask first (${rest.map((t) => t.name).join(", ")}) are not offered: the MCP connector reaches only https servers`,
      });
    else if (!allowed.length) out.skipped.push({ server: grant.name, reason: "it offers none of its allowed tools" });
  }
  return { ...out, direct: out.direct.sort((a, b) => a.name.localeCompare(b.name)) };
}
