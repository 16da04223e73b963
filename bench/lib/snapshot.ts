/**
 * A copy of the working tree taken when the bench starts, run in place of the tree itself:
 * wrangler dev rebuilds and restarts the Worker whenever a source file changes, and an edit
 * made while the bench runs would otherwise restart it mid-measurement. node_modules is linked;
 * the copy goes with the other temporary directories at the end (removeTempDirs).
 */
import { cpSync, symlinkSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT, tempDir } from "./dev-process";

const SKIPPED = new Set(["node_modules", ".git", ".wrangler", ".loopgate", "test-results", "bench/results", "bridge-data"]);

export function snapshotTree(): string {
  const dir = tempDir("loopgate-bench-tree-");
  cpSync(ROOT, dir, {
    recursive: true,
    filter: (path) => {
      const rel = relative(ROOT, path);
      return !SKIPPED.has(rel) && !rel.endsWith("/node_modules") && !rel.endsWith(".log");
    },
  });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}
