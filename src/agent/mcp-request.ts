/**
 * The MCP connector's part of a Messages API request, for the agent's modules. The definitions
 * live in src/protocol/mcp-connector.ts, beside the container turn's spec, so that the bridge's
 * model proxy (which may use only the protocol layer) builds `mcp_servers` the same way.
 */
export { MCP_CONNECTOR_BETA, MCP_SERVER_NAME, mcpServerDefinitions, mcpServerName } from "../protocol/mcp-connector";
export type { McpServerDefinition, McpServerGrant } from "../protocol/mcp-connector";
