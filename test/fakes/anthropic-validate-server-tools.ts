/**
 * The fake Messages API's checks of server tools and the MCP connector, as their documentation
 * describes them: each server tool `type` with its version date and fixed `name`, only its
 * documented fields, `max_uses` a positive integer, `allowed_domains` and `blocked_domains` never
 * together and never with a scheme, the beta header a tool version needs; `mcp_servers` entries
 * of `type: "url"` with an https `url`, a unique `name`, an optional `authorization_token` and
 * `tool_configuration`, under the `mcp-client-2025-04-04` beta. Returns the error or null.
 */
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Content blocks the API itself produces; they may come back only in assistant turns. */
export const SERVER_BLOCK_TYPES = [
  "server_tool_use",
  "web_search_tool_result",
  "web_fetch_tool_result",
  "code_execution_tool_result",
  "bash_code_execution_tool_result",
  "text_editor_code_execution_tool_result",
  "mcp_tool_use",
  "mcp_tool_result",
];

const COMMON = ["type", "name", "cache_control", "allowed_callers", "defer_loading", "strict"];
const WEB = ["max_uses", "allowed_domains", "blocked_domains"];

interface Spec {
  name: string;
  fields: string[];
  beta?: string;
}

const SERVER_TOOLS: Record<string, Spec> = {
  web_search_20250305: { name: "web_search", fields: [...COMMON, ...WEB, "user_location"] },
  web_fetch_20250910: { name: "web_fetch", fields: [...COMMON, ...WEB, "citations", "max_content_tokens"], beta: "web-fetch-2025-09-10" },
  code_execution_20250825: { name: "code_execution", fields: COMMON, beta: "code-execution-2025-08-25" },
};

export const MCP_BETA = "mcp-client-2025-04-04";

function checkDomains(t: Json, field: string, where: string): string | null {
  const list = t[field];
  if (list === undefined || list === null) return null;
  if (!Array.isArray(list) || list.some((d) => typeof d !== "string" || !d)) return `${where}.${field}: Input should be a valid list of strings`;
  const withScheme = list.find((d) => /^[a-z]+:\/\//i.test(String(d)));
  if (withScheme) return `${where}.${field}: domains must not include the URL scheme: ${String(withScheme)}`;
  return null;
}

export function checkServerTool(t: Json, where: string, betas: readonly string[]): string | null {
  const spec = SERVER_TOOLS[String(t.type)];
  if (!spec) return `${where}: Input tag '${String(t.type)}' found using 'type' does not match any of the expected tags`;
  if (t.name !== spec.name) return `${where}.name: Input should be '${spec.name}'`;
  for (const key of Object.keys(t)) if (!spec.fields.includes(key)) return `${where}.${key}: Extra inputs are not permitted`;
  if (spec.beta && !betas.includes(spec.beta)) return `${where}: the tool type '${String(t.type)}' requires the beta header anthropic-beta: ${spec.beta}`;
  if (t.max_uses !== undefined && t.max_uses !== null && (typeof t.max_uses !== "number" || !Number.isInteger(t.max_uses) || t.max_uses < 1))
    return `${where}.max_uses: Input should be greater than 0`;
  if (t.allowed_domains && t.blocked_domains) return `${where}: Cannot specify both allowed_domains and blocked_domains`;
  for (const field of ["allowed_domains", "blocked_domains"]) {
    const err = checkDomains(t, field, where);
    if (err) return err;
  }
  if (t.citations !== undefined && t.citations !== null && (!isObject(t.citations) || typeof t.citations.enabled !== "boolean"))
    return `${where}.citations.enabled: Input should be a valid boolean`;
  return null;
}

export function checkMcpServers(servers: unknown, betas: readonly string[]): string | null {
  if (!betas.includes(MCP_BETA)) return `mcp_servers: Extra inputs are not permitted (the MCP connector needs anthropic-beta: ${MCP_BETA})`;
  if (!Array.isArray(servers)) return "mcp_servers: Input should be a valid list";
  const names = new Set<string>();
  for (const [i, s] of servers.entries()) {
    const where = `mcp_servers.${i}`;
    if (!isObject(s)) return `${where}: Input should be a valid dictionary`;
    for (const key of Object.keys(s))
      if (!["type", "url", "name", "authorization_token", "tool_configuration"].includes(key)) return `${where}.${key}: Extra inputs are not permitted`;
    if (s.type !== "url") return `${where}.type: Input should be 'url'`;
    if (typeof s.url !== "string" || !/^https:\/\/[^\s/]+/.test(s.url)) return `${where}.url: MCP server URL must start with https://`;
    if (typeof s.name !== "string" || !s.name) return `${where}.name: Field required`;
    if (names.has(s.name)) return `mcp_servers: MCP server names must be unique. Duplicate: ${s.name}`;
    names.add(s.name);
    if (s.authorization_token !== undefined && s.authorization_token !== null && typeof s.authorization_token !== "string")
      return `${where}.authorization_token: Input should be a valid string`;
    const tc = s.tool_configuration;
    if (tc !== undefined && tc !== null) {
      if (!isObject(tc)) return `${where}.tool_configuration: Input should be a valid dictionary`;
      for (const key of Object.keys(tc))
        if (key !== "enabled" && key !== "allowed_tools") return `${where}.tool_configuration.${key}: Extra inputs are not permitted`;
      if (tc.enabled !== undefined && tc.enabled !== null && typeof tc.enabled !== "boolean")
        return `${where}.tool_configuration.enabled: Input should be a valid boolean`;
      if (
        tc.allowed_tools !== undefined &&
        tc.allowed_tools !== null &&
        (!Array.isArray(tc.allowed_tools) || tc.allowed_tools.some((n) => typeof n !== "string"))
      )
        return `${where}.tool_configuration.allowed_tools: Input should be a valid list of strings`;
    }
  }
  return null;
}
