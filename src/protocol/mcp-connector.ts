/**
 * The MCP connector's part of a Messages API request: each remote MCP server the turn may use
 * becomes one `mcp_servers` entry, and the API (not the gateway) connects to it and calls its
 * tools. Which servers a turn gets is decided before this (mcp-servers.ts in src/agent, the
 * channel's or job's `mcpServers` list and the sender's trust tier). It sits in the protocol
 * layer because the bridge's model proxy builds the same entries for container turns.
 */

import * as z from "zod";

/** Also the name the model and `mcp_tool_use` blocks know the server by. */
export const MCP_SERVER_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const mcpServerName = z.string().regex(MCP_SERVER_NAME, "name: lowercase letters, digits, - and _, at most 64");

/** The beta the MCP connector's `mcp_servers` shape (with `tool_configuration`) is documented under. */
export const MCP_CONNECTOR_BETA = "mcp-client-2025-04-04";

/** One `mcp_servers` entry, as the MCP connector documents it. */
export interface McpServerDefinition {
  type: "url";
  /** Must be https. */
  url: string;
  /** Unique in the request; names the server in `mcp_tool_use` blocks. */
  name: string;
  /** OAuth bearer token the API sends to the server. */
  authorization_token?: string;
  tool_configuration?: { enabled?: boolean; allowed_tools?: string[] };
}

/** A registered server, its token already unsealed, as the turn receives it. */
export interface McpServerGrant {
  name: string;
  url: string;
  token?: string;
  /** Only these of the server's tools; every tool when unset. */
  allowedTools?: string[];
}

/** Entries sorted by name, keys in a fixed order: the request prefix stays byte-stable across turns. */
export function mcpServerDefinitions(grants: readonly McpServerGrant[]): McpServerDefinition[] {
  return [...grants]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((g) => ({
      type: "url",
      url: g.url,
      name: g.name,
      ...(g.token ? { authorization_token: g.token } : {}),
      ...(g.allowedTools ? { tool_configuration: { enabled: true, allowed_tools: [...g.allowedTools].sort() } } : {}),
    }));
}
