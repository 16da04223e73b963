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

export const approvalSettingsSchema = z
  .object({
    /**
     * The gateway's own tools whose calls wait for a decision. Only these can be held back: MCP
     * tools run at Anthropic inside the request and container tools inside the container.
     */
    askFirst: z.array(z.enum(TOOL_NAMES)).min(1).max(TOOL_NAMES.length),
    /** Who decides besides the dashboard's admins: the channel's admin (`adminSenderId`) or the sender who asked. */
    approver: z.enum(["admin", "sender"]).default("admin"),
    /** The admin's own id on this channel's platform (e.g. a Telegram user id): the prompt goes to them and only their presses count. */
    adminSenderId: z.string().trim().min(1).max(200).optional(),
    /** Seconds before an undecided call counts as denied. */
    timeoutSeconds: z.number().int().min(10).max(MAX_APPROVAL_TIMEOUT_SECONDS).optional(),
  })
  .strict();

export type ApprovalSettings = z.infer<typeof approvalSettingsSchema>;
