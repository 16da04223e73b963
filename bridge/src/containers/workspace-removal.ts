/**
 * Removing a deleted sender's workspace (docs/containers.md, "Deleting a sender"): the gateway
 * sends `workspace.remove` (re-sent on every connection until this bridge answers
 * `workspace.removed`). A workspace a run of that sender is queued or running in is not removed
 * under it: the removal waits for the run to end. A volume Docker refuses to remove (a container
 * still holds it) is tried again later. A volume already gone counts as removed, so a re-sent
 * frame after a lost answer is harmless. In loop mode the sender's image is unmounted and deleted
 * instead (loop-workspaces.ts).
 */
import type { BridgeFrame } from "../../../src/protocol/bridge";
import type { WorkspaceRemoveFrame } from "../../../src/protocol/container";
import type { Logger } from "../../../src/lib/log";
import { workspaceVolume } from "./docker-args";
import { docker } from "./docker";
import type { LoopWorkspaces } from "./loop-workspaces";
import type { WorkspaceUse } from "./workspace-prune";

/** How long after Docker refused (the volume in use) the removal is tried again. */
const DOCKER_RETRY_MS = 60_000;

export interface WorkspaceRemovalOptions {
  docker: string;
  use: WorkspaceUse;
  log: Logger;
  send: (frame: BridgeFrame) => boolean;
  /** True while a run of the workspace's sender is queued or running on this bridge. */
  inUse: (volume: string) => boolean;
  retryMs?: number;
  /** Loop mode: workspaces are images in the data folder, not Docker volumes. */
  loop?: LoopWorkspaces;
}

export class WorkspaceRemovals {
  /** Removals not done yet, by removal id. */
  private readonly pending = new Map<string, { frame: WorkspaceRemoveFrame; volume: string }>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly attempting = new Set<string>();

  constructor(private readonly o: WorkspaceRemovalOptions) {}

  request(frame: WorkspaceRemoveFrame): Promise<void> {
    this.pending.set(frame.id, { frame, volume: workspaceVolume(frame.channelId, frame.senderId) });
    return this.attempt(frame.id);
  }

  /** A run ended: removals that waited for its workspace go now. */
  async runEnded(volume: string): Promise<void> {
    for (const [id, p] of this.pending) if (p.volume === volume) await this.attempt(id);
  }

  /** Removals still waiting (a run in the workspace, or Docker refused). */
  waiting(): string[] {
    return [...this.pending.values()].map((p) => p.volume);
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** An image that does not exist counts as removed, like a volume already gone. */
  private async removeImage(volume: string): Promise<{ ok: boolean; stderr: string }> {
    try {
      return (await this.o.loop?.remove(volume)) ? { ok: true, stderr: "" } : { ok: false, stderr: "a run uses the workspace" };
    } catch (err) {
      return { ok: false, stderr: String(err) };
    }
  }

  private async attempt(id: string): Promise<void> {
    const p = this.pending.get(id);
    if (!p || this.attempting.has(id)) return;
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    if (this.o.inUse(p.volume)) {
      this.o.log.info("workspace removal waits for the sender's run", { volume: p.volume });
      return;
    }
    this.attempting.add(id);
    try {
      const removed = this.o.loop ? await this.removeImage(p.volume) : await docker(this.o.docker, ["volume", "rm", p.volume]);
      if (removed.ok || /no such volume/i.test(removed.stderr)) {
        this.pending.delete(id);
        this.o.use.forget(p.volume);
        this.o.log.info("workspace removed: its sender was deleted", { volume: p.volume, existed: removed.ok });
        // Not sent (link down): the gateway sends the removal again and finds the volume gone.
        this.o.send({ t: "workspace.removed", id });
        return;
      }
      this.o.log.warn("workspace removal refused by Docker; trying again later", { volume: p.volume, error: removed.stderr.trim().slice(0, 300) });
      const timer = setTimeout(() => void this.attempt(id), this.o.retryMs ?? DOCKER_RETRY_MS);
      timer.unref();
      this.timers.set(id, timer);
    } finally {
      this.attempting.delete(id);
    }
  }
}
