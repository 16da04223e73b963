/**
 * The agent's tools inside its container: a shell command and file access, confined to the
 * workspace folder (the per-sender volume) and bounded in time and output. Whatever they do
 * stays in this container: it has no network and no host folder but the workspace.
 */
import { spawn } from "node:child_process";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { sendFileTool, type SentFile } from "./send-file.ts";
import type { Input, ToolLimits, ToolOutcome } from "./tool-types.ts";
import { inWorkspace } from "./workspace-path.ts";
import { workspaceBytes } from "./workspace-size.ts";

export type { ToolLimits, ToolOutcome };

function str(input: Input, name: string): string | undefined {
  const value = input[name];
  return typeof value === "string" ? value : undefined;
}

function cut(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  return `${bytes.subarray(0, maxBytes).toString("utf8")}\n[…cut: ${bytes.length - maxBytes} more bytes]`;
}

async function runCommand(root: string, input: Input, limits: ToolLimits): Promise<ToolOutcome> {
  const command = str(input, "command");
  if (!command?.trim()) return { content: "command is required", isError: true };
  const asked = Number(input.timeout_seconds);
  const timeoutMs = Number.isFinite(asked) && asked > 0 ? Math.min(asked * 1000, limits.commandTimeoutMs) : limits.commandTimeoutMs;
  return new Promise((done) => {
    const child = spawn("/bin/sh", ["-c", command], {
      cwd: root,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: root, LANG: "C.UTF-8", TMPDIR: "/tmp" },
    });
    let output = "";
    let bytes = 0;
    const collect = (chunk: Buffer) => {
      bytes += chunk.length;
      // Keep a little more than the limit so the cut note can say how much was dropped.
      if (output.length < limits.outputBytes * 2) output += chunk.toString("utf8");
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      done({ content: `could not start the command: ${err.message}`, isError: true });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const status = timedOut ? `killed after ${timeoutMs} ms` : signal ? `killed by ${signal}` : `exit code ${code}`;
      const shown = cut(output, limits.outputBytes) + (bytes > limits.outputBytes * 2 ? `\n[output was ${bytes} bytes]` : "");
      done({ content: `${status}\n${shown}`, ...(code === 0 && !timedOut ? {} : { isError: true }) });
    });
  });
}

async function readFileTool(root: string, input: Input, limits: ToolLimits): Promise<ToolOutcome> {
  const path = await inWorkspace(root, str(input, "path") ?? "");
  if (!path) return { content: "path must be inside /workspace", isError: true };
  try {
    return { content: cut(await readFile(path, "utf8"), limits.outputBytes) };
  } catch (err) {
    return { content: `cannot read ${str(input, "path")}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, isError: true };
  }
}

async function writeFileTool(root: string, input: Input, limits: ToolLimits): Promise<ToolOutcome> {
  const content = str(input, "content");
  if (content === undefined) return { content: "content is required", isError: true };
  if (Buffer.byteLength(content) > limits.writeBytes) return { content: `content is larger than ${limits.writeBytes} bytes`, isError: true };
  const path = await inWorkspace(root, str(input, "path") ?? "");
  if (!path || path === root) return { content: "path must name a file inside /workspace", isError: true };
  if (limits.workspaceBytes !== undefined) {
    // The file it replaces frees its own size; what run_command writes is measured at the next run's start.
    const replaced = await stat(path).then(
      (s) => (s.isFile() ? s.size : 0),
      () => 0,
    );
    const after = (await workspaceBytes(root)) - replaced + Buffer.byteLength(content);
    if (after > limits.workspaceBytes)
      return { content: `the workspace quota is ${limits.workspaceBytes} bytes; this write would make it ${after} bytes. Delete files first.`, isError: true };
  }
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    return { content: `wrote ${Buffer.byteLength(content)} bytes to ${relative(root, path)}` };
  } catch (err) {
    return { content: `cannot write ${str(input, "path")}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, isError: true };
  }
}

async function listFiles(root: string, input: Input, limits: ToolLimits): Promise<ToolOutcome> {
  const path = await inWorkspace(root, str(input, "path") ?? ".");
  if (!path) return { content: "path must be inside /workspace", isError: true };
  try {
    const entries = await readdir(path, { withFileTypes: true });
    const lines = await Promise.all(
      entries
        .sort((a, b) => a.name.localeCompare(b.name))
        .slice(0, 500)
        .map(async (e) => {
          if (e.isDirectory()) return `${e.name}/`;
          const size = await stat(resolve(path, e.name)).then(
            (s) => s.size,
            () => 0,
          );
          return `${e.name}\t${size} bytes`;
        }),
    );
    const more = entries.length > 500 ? `\n[…${entries.length - 500} more entries]` : "";
    return { content: cut(lines.join("\n") || "(empty)", limits.outputBytes) + more };
  } catch (err) {
    return { content: `cannot list ${str(input, "path") ?? "."}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, isError: true };
  }
}

const TOOLS: Record<string, (root: string, input: Input, limits: ToolLimits, sent: SentFile[]) => Promise<ToolOutcome>> = {
  run_command: runCommand,
  send_file: sendFileTool,
  read_file: readFileTool,
  write_file: writeFileTool,
  list_files: listFiles,
};

export function knownTool(name: string): boolean {
  return Object.hasOwn(TOOLS, name);
}

/** `sent` collects the files send_file hands over; the runner returns them with its answer. */
export async function runTool(name: string, input: unknown, root: string, limits: ToolLimits, sent: SentFile[] = []): Promise<ToolOutcome> {
  const tool = TOOLS[name];
  if (!tool) return { content: `tool ${name} is not available here`, isError: true };
  const args = typeof input === "object" && input !== null ? (input as Input) : {};
  return tool(root, args, limits, sent);
}
