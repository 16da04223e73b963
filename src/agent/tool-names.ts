/**
 * The names of the gateway's own agent tools (defined in tools.ts), apart from their code so the
 * channel settings can validate an allow list without importing the tools themselves.
 */
export const TOOL_NAMES = ["current_time", "recall", "remember_note", "schedule_job"] as const;
export type ToolName = (typeof TOOL_NAMES)[number];
