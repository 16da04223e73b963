/**
 * The workspace's size, measured by the runner inside its container (docs/containers.md,
 * "Workspace quota"). Docker's local volumes have no size limit, so the runner measures the
 * volume before the model runs (a run on a full workspace is refused) and before each
 * write_file (a write that would pass the quota is refused). It counts the bytes of every
 * regular file (hard links once), not following symlinks, like `du -sb` without directories.
 */
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

/** Bytes of the files under `root`; a folder that cannot be read counts as empty. */
export async function workspaceBytes(root: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch {
      return;
    }
    for (const name of entries) {
      const path = join(dir, name);
      const st = await lstat(path).catch(() => null);
      if (!st) continue;
      if (st.isDirectory()) await walk(path);
      else if (st.isFile()) {
        const inode = `${st.dev}:${st.ino}`;
        if (seen.has(inode)) continue;
        seen.add(inode);
        total += st.size;
      }
    }
  };
  await walk(root);
  return total;
}
