/**
 * Crash-safe file writes: a reader sees the old content or the new, never half of it. Every
 * file the bridge must not lose goes through here (or `failIfDiskFull`), which is also where the
 * fault suite makes the disk full (docs/reliability.md).
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/**
 * The fault suite's full disk: while the file named by LOOPGATE_BRIDGE_TEST_ENOSPC_FILE exists,
 * durable writes fail with ENOSPC as on a full disk. Unset (always, outside the suite) it costs
 * one comparison. The suite also fills a real tmpfs where it may mount one (docs/reliability.md).
 */
const ENOSPC_FLAG = process.env.LOOPGATE_BRIDGE_TEST_ENOSPC_FILE;

export function failIfDiskFull(path: string): void {
  if (ENOSPC_FLAG && existsSync(ENOSPC_FLAG))
    throw Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), { code: "ENOSPC", errno: -28, syscall: "write", path });
}

export function writeFileDurably(path: string, content: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    // As on a real full disk, the temporary file is created and the write fails.
    failIfDiskFull(tmp);
    if (typeof content === "string") writeSync(fd, content);
    else writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  syncDir(dirname(path));
}

/** Makes a rename or unlink in `dir` itself durable. */
export function syncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * A JSON object written by `writeFileDurably`, with every field in doubt (the caller checks
 * each): null when the file is missing, unreadable or not a JSON object, so state that cannot
 * be trusted is started afresh rather than crashing the channel.
 */
export function readJsonFile<T>(path: string): Partial<T> | null {
  if (!existsSync(path)) return null;
  try {
    const value: unknown = JSON.parse(readFileSync(path, "utf8"));
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Partial<T>) : null;
  } catch {
    return null;
  }
}
