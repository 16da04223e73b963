/** The shapes shared by the agent's container tools (tools.ts, send-file.ts). */

export interface ToolLimits {
  /** Bytes of command output or file content returned to the model; the rest is cut. */
  outputBytes: number;
  /** Longest a command may run. */
  commandTimeoutMs: number;
  /** Largest file write_file accepts. */
  writeBytes: number;
  /** Files send_file may hand over in one turn, and their bytes together; none when absent (an older bridge). */
  sendFiles?: number;
  sendFileBytes?: number;
  /** Most bytes the whole workspace may hold (CONTAINER_WORKSPACE_QUOTA_MB); absent: no quota. */
  workspaceBytes?: number;
}

export interface ToolOutcome {
  content: string;
  isError?: boolean;
}

export type Input = Record<string, unknown>;
