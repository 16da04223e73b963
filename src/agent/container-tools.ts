/**
 * Tools offered in container mode. They run inside the run's container (bridge/agent-runner),
 * where the agent may use a shell and files freely: the container has no network, no host
 * folder but the sender's own /workspace, and no credentials. The gateway's own tools (notes,
 * recall, scheduling, the clock) are offered too (container-turn.ts), but never run there: the
 * runner relays each call to the gateway, which runs it for the sender as in a direct turn.
 */
import type { Tool } from "@anthropic-ai/sdk/resources/messages";
import { CONTAINER_TOOL_NAMES, type ContainerToolName } from "../protocol/container";
import type { TrustTier } from "./trust";

const DEFINITIONS: Record<ContainerToolName, Omit<Tool, "name">> = {
  list_files: {
    description: "List the files and folders in /workspace (or a folder inside it), with sizes.",
    input_schema: { type: "object", properties: { path: { type: "string", description: "Folder relative to /workspace; default the workspace itself" } } },
  },
  read_file: {
    description: "Read a text file in /workspace. Long files are cut.",
    input_schema: { type: "object", properties: { path: { type: "string", description: "File path relative to /workspace" } }, required: ["path"] },
  },
  run_command: {
    description:
      "Run a shell command (/bin/sh -c) in an isolated Linux container, in /workspace, which keeps its files between this person's messages. No network access. Returns the exit code and the combined output (long output is cut).",
    input_schema: {
      type: "object",
      properties: {
        command: { type: "string", description: "The command line" },
        timeout_seconds: { type: "number", description: "Stop it after this many seconds" },
      },
      required: ["command"],
    },
  },
  send_file: {
    description:
      "Send a file from /workspace to the person you are talking to (an image, a PDF, a CSV ...), after your answer. Write the file first (for example with run_command), then call this. Pictures (PNG, JPEG, GIF, WEBP) are shown as pictures. At most 4 files and 512 KB together per answer.",
    input_schema: { type: "object", properties: { path: { type: "string", description: "File path relative to /workspace" } }, required: ["path"] },
  },
  write_file: {
    description: "Create or replace a text file in /workspace (folders are created as needed).",
    input_schema: {
      type: "object",
      properties: {
        path: { type: "string", description: "File path relative to /workspace" },
        content: { type: "string", description: "The whole new content" },
      },
      required: ["path", "content"],
    },
  },
};

/**
 * Admins and paired senders get every container tool; public senders none unless the channel's
 * `tools` allow list names them (the admin opting in). Sorted by name: the prefix stays stable.
 */
export function containerTools(tier: TrustTier, allowList: readonly string[] | null | undefined): Tool[] {
  const names = CONTAINER_TOOL_NAMES.filter((n) => (allowList ? allowList.includes(n) : tier !== "public"));
  return names.map((name) => ({ name, ...DEFINITIONS[name] }));
}
