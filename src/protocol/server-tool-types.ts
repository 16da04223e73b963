/**
 * The Messages API's server tools by version: each one's `type` and the `anthropic-beta` value
 * its documentation says a request with it must carry. Shared by the agent (server-tools.ts,
 * which decides who gets which) and the bridge's model proxy, which adds a container turn's
 * server tools to the requests it forwards.
 */
export const SERVER_TOOL_TYPES = {
  web_search: { type: "web_search_20250305", beta: null },
  web_fetch: { type: "web_fetch_20250910", beta: "web-fetch-2025-09-10" },
  code_execution: { type: "code_execution_20250825", beta: "code-execution-2025-08-25" },
} as const;

/** The `anthropic-beta` values a request with these tools must carry, sorted. */
export function serverToolBetas(tools: readonly object[]): string[] {
  const betas = new Set<string>();
  for (const t of tools) for (const spec of Object.values(SERVER_TOOL_TYPES)) if ("type" in t && t.type === spec.type && spec.beta) betas.add(spec.beta);
  return [...betas].sort();
}
