/**
 * Server tools: web search, web fetch and code execution, which Anthropic runs itself inside one
 * Messages API request (the model calls them with `server_tool_use`, the API answers with their
 * result blocks; the gateway executes nothing). A channel, job or loop task switches each one on
 * with its limits; public-tier senders get none unless the channel says so, because a search
 * or fetch spends the admin's money and can carry the sender's words to the web.
 */
import type { CodeExecutionTool20250825, Tool, WebFetchTool20250910, WebSearchTool20250305 } from "@anthropic-ai/sdk/resources/messages";
import * as z from "zod";
import { SERVER_TOOL_TYPES, serverToolBetas } from "../protocol/server-tool-types";
import type { TrustTier } from "./trust";

/** A bare host name as the API expects it (`example.com`, `docs.example.com/path` without a scheme). */
const DOMAIN = /^(?!https?:\/\/)[a-z0-9*]([a-z0-9*.-]{0,251}[a-z0-9])?(\/[^\s]*)?$/i;

const domainList = z.array(z.string().trim().regex(DOMAIN, "a domain without a scheme, e.g. example.com")).min(1).max(100);

const webToolSchema = z
  .object({
    /** Calls of this tool per model request; unlimited when unset. */
    maxUses: z.number().int().min(1).max(100).optional(),
    /** Only these domains (and their subdomains). */
    allowedDomains: domainList.optional(),
    /** Never these domains. */
    blockedDomains: domainList.optional(),
  })
  .strict()
  .refine((t) => !(t.allowedDomains && t.blockedDomains), "allowedDomains and blockedDomains cannot be used together");

export const serverToolsSchema = z
  .object({
    webSearch: webToolSchema.optional(),
    webFetch: webToolSchema.optional(),
    codeExecution: z.object({}).strict().optional(),
    /** Offer them to public-tier senders too (off by default: every use is billed to the gateway). */
    publicSenders: z.boolean().optional(),
  })
  .strict();

export type ServerToolsConfig = z.infer<typeof serverToolsSchema>;
type WebToolConfig = z.infer<typeof webToolSchema>;

/** Tool versions (their `type`) and their beta headers: src/protocol/server-tool-types.ts, shared with the bridge. */
export { SERVER_TOOL_TYPES, serverToolBetas };

export type ServerToolName = keyof typeof SERVER_TOOL_TYPES;
export type ServerToolDefinition = WebSearchTool20250305 | WebFetchTool20250910 | CodeExecutionTool20250825;
/** A `tools` entry of a request: the gateway's own tools and server tools. */
export type ToolDefinition = Tool | ServerToolDefinition;

function webLimits(c: WebToolConfig) {
  return {
    ...(c.maxUses !== undefined ? { max_uses: c.maxUses } : {}),
    ...(c.allowedDomains ? { allowed_domains: c.allowedDomains } : {}),
    ...(c.blockedDomains ? { blocked_domains: c.blockedDomains } : {}),
  };
}

/** The `tools` entries for this sender, in a fixed key order so the request prefix stays byte-stable. */
export function serverToolDefinitions(config: ServerToolsConfig | null | undefined, trust: TrustTier): ServerToolDefinition[] {
  if (!config || (trust === "public" && !config.publicSenders)) return [];
  const tools: ServerToolDefinition[] = [];
  if (config.codeExecution) tools.push({ type: SERVER_TOOL_TYPES.code_execution.type, name: "code_execution" });
  if (config.webFetch)
    // Citations are off by default for fetched pages; the reply lists its sources, so ask for them.
    tools.push({ type: SERVER_TOOL_TYPES.web_fetch.type, name: "web_fetch", ...webLimits(config.webFetch), citations: { enabled: true } });
  if (config.webSearch) tools.push({ type: SERVER_TOOL_TYPES.web_search.type, name: "web_search", ...webLimits(config.webSearch) });
  return tools;
}
