/**
 * Path confinement for the agent's tools inside its container: every path the model names must
 * resolve inside the workspace (the per-sender volume), also through symlinks.
 */
import { realpath } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve } from "node:path";

/** Resolves a path the model gave inside the workspace; null when it points outside (also through a symlink). */
export async function inWorkspace(root: string, path: string): Promise<string | null> {
  const target = resolve(root, path);
  const inside = (p: string) => {
    const rel = relative(root, p);
    return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
  };
  if (!inside(target)) return null;
  // The deepest existing ancestor must really be inside too (a symlink could point elsewhere).
  let existing = target;
  for (;;) {
    try {
      return inside(await realpath(existing)) ? target : null;
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return null;
      existing = parent;
    }
  }
}
