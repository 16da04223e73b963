/**
 * The send_file tool inside the container: the agent names a file in its workspace, and the
 * runner hands its bytes to the bridge with the answer (docs/media.md, "Files the agent
 * sends"). The path is confined to the workspace (symlinks too, and the file itself is opened
 * without following a link), it must be a regular file, and the turn's file count and bytes are
 * bounded. The bridge checks the bytes again and sniffs their type; nothing here is trusted.
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { basename } from "node:path";
import type { Input, ToolLimits, ToolOutcome } from "./tool-types.ts";
import { inWorkspace } from "./workspace-path.ts";

export interface SentFile {
  /** The file's own name, without folders. */
  name: string;
  /** Its bytes, base64. */
  data: string;
}

export async function sendFileTool(root: string, input: Input, limits: ToolLimits, sent: SentFile[]): Promise<ToolOutcome> {
  const maxFiles = limits.sendFiles ?? 0;
  const maxBytes = limits.sendFileBytes ?? 0;
  const given = typeof input.path === "string" ? input.path : "";
  const path = await inWorkspace(root, given);
  if (!path || path === root) return { content: "path must name a file inside /workspace", isError: true };
  if (sent.length >= maxFiles) return { content: `at most ${maxFiles} files can be sent with one answer`, isError: true };
  const used = sent.reduce((sum, f) => sum + Buffer.byteLength(f.data, "base64"), 0);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { content: code === "ELOOP" ? "path must name a file inside /workspace" : `cannot read ${given}: ${code ?? String(err)}`, isError: true };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { content: `${given} is not a file`, isError: true };
    if (info.size === 0) return { content: `${given} is empty`, isError: true };
    if (used + info.size > maxBytes)
      return {
        content: `${given} is ${info.size} bytes; files sent with one answer may have ${maxBytes} bytes together (${maxBytes - used} left)`,
        isError: true,
      };
    const bytes = await handle.readFile();
    sent.push({ name: basename(path), data: bytes.toString("base64") });
    return { content: `${basename(path)} (${bytes.length} bytes) will be sent after your answer` };
  } finally {
    await handle.close();
  }
}
