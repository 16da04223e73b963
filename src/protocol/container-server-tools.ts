/**
 * Server tools and MCP servers in a container turn's spec (container.ts). The gateway decides
 * which ones a turn gets, exactly as for a direct turn; the bridge's model proxy adds them to
 * each request it forwards. An MCP server's token travels in three states: sealed in the
 * hub's queue (`sealedToken`, as D1 keeps it), opened only in the frame that goes out over the
 * authenticated link (`token`), and dropped by the bridge from everything it writes to disk or
 * gives the container (`withoutMcpTokens`).
 */
import * as z from "zod";
import type { Keyring } from "../crypto/keyring";
import { MCP_CONNECTOR_BETA, mcpServerDefinitions, mcpServerName, type McpServerDefinition } from "./mcp-connector";
import { SERVER_TOOL_TYPES, serverToolBetas } from "./server-tool-types";

const types = Object.values(SERVER_TOOL_TYPES).map((t) => t.type) as [string, ...string[]];
const names = Object.keys(SERVER_TOOL_TYPES) as [string, ...string[]];
const domains = z.array(z.string().min(1).max(300)).min(1).max(100);

/** A server tool's `tools` entry as server-tools.ts builds it: only its documented fields. */
export const containerServerTool = z
  .object({
    type: z.enum(types),
    name: z.enum(names),
    max_uses: z.number().int().min(1).max(100).optional(),
    allowed_domains: domains.optional(),
    blocked_domains: domains.optional(),
    citations: z.object({ enabled: z.boolean() }).strict().optional(),
  })
  .strict();

export const containerMcpServer = z
  .object({
    name: mcpServerName,
    url: z
      .string()
      .regex(/^https:\/\/\S+$/, "an https:// URL")
      .max(2_000),
    /** The bearer token, opened: only in the frame on the wire and in the bridge's memory. */
    token: z.string().min(1).max(20_000).optional(),
    /** The token as D1 seals it: in the hub's queue, opened as the frame is sent. */
    sealedToken: z.string().min(1).max(20_000).optional(),
    allowedTools: z.array(z.string().min(1).max(128)).min(1).max(200).optional(),
  })
  .strict();

export type ContainerServerTool = z.infer<typeof containerServerTool>;
export type ContainerMcpServer = z.infer<typeof containerMcpServer>;

interface WithServerTools {
  serverTools?: ContainerServerTool[];
  mcpServers?: ContainerMcpServer[];
}

/** The spec with every MCP token (opened or sealed) taken out: what may be stored or shown. */
export function withoutMcpTokens<T extends WithServerTools>(spec: T): T {
  if (!spec.mcpServers) return spec;
  return { ...spec, mcpServers: spec.mcpServers.map(({ token: _t, sealedToken: _s, ...rest }) => rest) };
}

/** What the proxy adds to a model request: server tools, `mcp_servers` (opened tokens only), and the betas they need. */
export function serverAdditions(spec: WithServerTools): { tools: ContainerServerTool[]; mcpServers: McpServerDefinition[]; betas: string[] } {
  const tools = spec.serverTools ?? [];
  const mcpServers = mcpServerDefinitions(
    (spec.mcpServers ?? []).map((s) => ({
      name: s.name,
      url: s.url,
      ...(s.token ? { token: s.token } : {}),
      ...(s.allowedTools ? { allowedTools: s.allowedTools } : {}),
    })),
  );
  const betas = [...serverToolBetas(tools), ...(mcpServers.length ? [MCP_CONNECTOR_BETA] : [])].sort();
  return { tools, mcpServers, betas };
}

/** The spec as the container receives it: neither server tools nor MCP servers, which only the proxy adds. */
export function specForContainer<T extends WithServerTools>(spec: T): Omit<T, "serverTools" | "mcpServers"> {
  const { serverTools: _tools, mcpServers: _servers, ...rest } = spec;
  return rest;
}

/**
 * The queued turn frame as it goes out over the bridge link: each MCP server's token, kept
 * sealed in the hub's queue, is opened here and only here. A server whose token cannot be
 * opened (master key missing or rotated away) is left out of the run, as a direct turn leaves it out.
 */
export async function outgoingTurn(frame: string, box: Pick<Keyring, "open"> | null): Promise<string> {
  const turn = JSON.parse(frame) as { spec: WithServerTools };
  const servers = turn.spec.mcpServers;
  if (!servers?.some((s) => s.sealedToken)) return frame;
  const opened: ContainerMcpServer[] = [];
  for (const { sealedToken, ...server } of servers) {
    if (!sealedToken) {
      opened.push(server);
      continue;
    }
    try {
      if (box) opened.push({ ...server, token: await box.open(sealedToken) });
    } catch {
      // left out: the run goes ahead without this server
    }
  }
  return JSON.stringify({ ...turn, spec: { ...turn.spec, mcpServers: opened } });
}
