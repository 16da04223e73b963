/**
 * The channel's "ask first" settings (`agent.approvals`), apart from the approval code so the
 * channel settings can validate them without importing the runtime (see approvals.ts).
 */
import * as z from "zod";
import { TOOL_NAMES } from "./tool-names";

/** How long a call waits for its decision when the channel does not say (10 minutes). */
export const DEFAULT_APPROVAL_TIMEOUT_SECONDS = 600;
/** The longest wait a channel may configure (one day): the turn and the sender's queue wait with it. */
export const MAX_APPROVAL_TIMEOUT_SECONDS = 86_400;

/**
 * An MCP server's tools (`mcp:<server>`) or one of them (`mcp:<server>/<tool>`) in `askFirst`:
 * the gateway then calls them itself instead of the MCP connector (mcp-ask-first.ts).
 */
export const MCP_ASK_FIRST = /^mcp:([a-z0-9][a-z0-9_-]{0,63})(?:\/([^/\s]{1,128}))?$/;

const askFirstEntry = z.string().refine((name) => (TOOL_NAMES as readonly string[]).includes(name) || MCP_ASK_FIRST.test(name), {
  error: (issue) =>
    `"${String(issue.input)}" cannot ask first: name one of the gateway's tools (${TOOL_NAMES.join(", ")}), an MCP server as mcp:<server>, or one of its tools as mcp:<server>/<tool>`,
});

export const approvalSettingsSchema = z
  .object({
    /**
     * Tools whose calls wait for a decision: the gateway's own, and MCP servers' (`mcp:<server>`,
     * `mcp:<server>/<tool>`), which the gateway then calls itself. Container tools cannot ask
     * first: they run inside the container.
     */
    askFirst: z.array(askFirstEntry).min(1).max(50),
    /** Who decides besides the dashboard's admins: the channel's admin (`adminSenderId`) or the sender who asked. */
    approver: z.enum(["admin", "sender"]).default("admin"),
    /** The admin's own id on this channel's platform (e.g. a Telegram user id): the prompt goes to them and only their presses count. */
    adminSenderId: z.string().trim().min(1).max(200).optional(),
    /** Seconds before an undecided call counts as denied. */
    timeoutSeconds: z.number().int().min(10).max(MAX_APPROVAL_TIMEOUT_SECONDS).optional(),
  })
  .strict();

export type ApprovalSettings = z.infer<typeof approvalSettingsSchema>;
