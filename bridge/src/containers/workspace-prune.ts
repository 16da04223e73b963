/**
 * Pruning of container workspaces (docs/containers.md, "Workspaces"): each sender's
 * `/workspace` is a Docker volume that outlives its runs, so volumes nobody used for
 * CONTAINER_WORKSPACE_PRUNE_DAYS are removed. Docker records no last-use time for a volume
 * (labels are fixed at creation), so the bridge keeps one per volume in its data folder,
 * touched when a run starts and ends. A volume the bridge has not seen yet starts its idle
 * clock when first listed, so upgrading never removes a workspace at once. A volume in use by
 * a container is refused by Docker and kept. In loop mode the workspaces are the images in the
 * data folder (loop-workspaces.ts): one a run uses is kept, the others are unmounted and deleted.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileDurably } from "../durable-file";
import { LABEL_WORKSPACE } from "./docker-args";
import { docker } from "./docker";
import type { LoopWorkspaces } from "./loop-workspaces";

export class WorkspaceUse {
  private readonly path: string;
  private readonly lastUsed: Map<string, number>;

  constructor(dataDir: string) {
    const dir = join(dataDir, "containers");
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, "workspace-use.json");
    const stored = existsSync(this.path) ? (JSON.parse(readFileSync(this.path, "utf8")) as Record<string, number>) : {};
    this.lastUsed = new Map(Object.entries(stored).filter(([, at]) => Number.isFinite(at)));
  }

  touch(volume: string, at = Date.now()): void {
    this.lastUsed.set(volume, at);
    this.save();
  }

  get(volume: string): number | undefined {
    return this.lastUsed.get(volume);
  }

  forget(volume: string): void {
    if (this.lastUsed.delete(volume)) this.save();
  }

  /** A failed write (disk full) keeps the times in memory: it must not fail the run that touched them. */
  private save(): void {
    try {
      writeFileDurably(this.path, JSON.stringify(Object.fromEntries(this.lastUsed)));
    } catch {
      // written with the next touch
    }
  }
}

export interface PruneOutcome {
  removed: string[];
  /** Idle long enough, but Docker refused (a container uses it). */
  busy: string[];
}

/** Removes workspace volumes idle longer than `maxIdleMs`; volumes never seen before start their clock now. */
export async function pruneWorkspaces(o: { docker: string; use: WorkspaceUse; maxIdleMs: number; now?: number; loop?: LoopWorkspaces }): Promise<PruneOutcome> {
  const now = o.now ?? Date.now();
  const volumes = o.loop ? o.loop.list() : await dockerWorkspaces(o.docker);
  const outcome: PruneOutcome = { removed: [], busy: [] };
  for (const volume of volumes) {
    const last = o.use.get(volume);
    if (last === undefined) {
      o.use.touch(volume, now);
      continue;
    }
    if (now - last <= o.maxIdleMs) continue;
    const removed = o.loop ? { ok: await o.loop.remove(volume).catch(() => false) } : await docker(o.docker, ["volume", "rm", volume]);
    if (removed.ok) {
      o.use.forget(volume);
      outcome.removed.push(volume);
    } else outcome.busy.push(volume);
  }
  return outcome;
}

async function dockerWorkspaces(bin: string): Promise<string[]> {
  const listed = await docker(bin, ["volume", "ls", "-q", "--filter", `label=${LABEL_WORKSPACE}=1`]);
  if (!listed.ok) throw new Error(`docker volume ls failed: ${listed.stderr.trim()}`);
  return listed.stdout
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}
