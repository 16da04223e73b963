/** Per-channel agent settings (the channel row's `agent` column), validated by the channels API. */
import * as z from "zod";
import { CONTAINER_TOOL_NAMES } from "../protocol/container";
import { TOOL_NAMES } from "./tool-names";
import { BRIDGE_ID_PATTERN } from "../protocol/bridge";
import { mcpServerName } from "./mcp-request";
import { serverToolsSchema } from "./server-tools";
import { approvalSettingsSchema, MCP_ASK_FIRST } from "./approval-settings";

export const agentSettingsSchema = z
  .object({
    /** Model id; the gateway's AGENT_MODEL when unset. */
    model: z.string().trim().min(1).max(100).optional(),
    /** Models that take over, in order, when `model` is overloaded or down; AGENT_FALLBACK_MODELS when unset. */
    fallbackModels: z.array(z.string().trim().min(1).max(100)).max(5).optional(),
    /** Output token cap per model call; AGENT_MAX_TOKENS when unset. */
    maxTokens: z.number().int().min(1).max(128_000).optional(),
    /** Replaces the default system prompt (system-prompt.md) for this channel. */
    systemPrompt: z.string().min(1).max(100_000).optional(),
    /** Explicit tool allow list; unset means the trust tier's default. */
    tools: z
      .array(z.enum([...TOOL_NAMES, ...CONTAINER_TOOL_NAMES]))
      .max(TOOL_NAMES.length + CONTAINER_TOOL_NAMES.length)
      .optional(),
    /** Web search, web fetch and code execution run by the API; none when unset (server-tools.ts). */
    serverTools: serverToolsSchema.optional(),
    /** Registered MCP servers (by name) this channel's agent may use; admin and paired senders only (mcp-servers.ts). */
    mcpServers: z.array(mcpServerName).max(20).optional(),
    /** Tools whose calls wait for a person's Approve/Deny in chat or in the dashboard (approvals.ts). */
    approvals: approvalSettingsSchema.optional(),
    /** Run this channel's turns in containers on a bridge (true) or in the Worker (false); AGENT_CONTAINER_MODE when unset. */
    container: z.boolean().optional(),
    /** The bridge that runs them; default: the channel's own bridge, else AGENT_CONTAINER_BRIDGE. */
    containerBridgeId: z.string().regex(BRIDGE_ID_PATTERN, "containerBridgeId must be a bridge id (brg_...)").optional(),
  })
  .strict()
  .superRefine((settings, ctx) => {
    // An MCP server can only ask first on a channel whose agent may use it.
    for (const [i, entry] of (settings.approvals?.askFirst ?? []).entries()) {
      const server = MCP_ASK_FIRST.exec(entry)?.[1];
      if (server && !settings.mcpServers?.includes(server))
        ctx.addIssue({
          code: "custom",
          path: ["approvals", "askFirst", i],
          message: `${entry} names the MCP server "${server}", which this channel's mcpServers does not list`,
        });
    }
  });

export type AgentSettings = z.infer<typeof agentSettingsSchema>;

/** Reads the stored column leniently: a malformed value means "defaults", never a failed turn. */
export function parseAgentSettings(stored: string | null | undefined): AgentSettings | null {
  if (!stored) return null;
  try {
    const parsed = agentSettingsSchema.safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
