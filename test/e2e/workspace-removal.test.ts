/**
 * Removing a deleted sender's workspace against a real Docker engine: Docker's own answers for a
 * volume a container holds (refused, tried again) and for one already gone (confirmed), which
 * bridge/src/containers/workspace-removal.ts relies on. Only this run's volumes and containers
 * (their names carry this run's tag) are touched.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { workspaceVolume } from "../../bridge/src/containers/docker-args";
import { ensureVolume } from "../../bridge/src/containers/docker";
import { WorkspaceUse } from "../../bridge/src/containers/workspace-prune";
import { WorkspaceRemovals } from "../../bridge/src/containers/workspace-removal";
import type { BridgeFrame } from "../../src/protocol/bridge";
import { docker, dockerMaybe, prepareDocker } from "../support/docker";

const tag = `wsrm${process.pid}${Date.now().toString(36)}`;
const channelId = `ch_${tag}`;
const volume = workspaceVolume(channelId, "ana");
const exists = (name: string) => dockerMaybe("volume", "inspect", name) !== null;

describe("workspace removal (real Docker)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "loopgate-wsrm-"));
  let holder = "";

  beforeAll(async () => {
    prepareDocker();
    expect((await ensureVolume("docker", volume, channelId)).ok).toBe(true);
    holder = docker("create", "--label", `loopgate.test=${tag}`, "-v", `${volume}:/workspace`, "node:22-slim", "true");
  });

  afterAll(() => {
    if (holder) dockerMaybe("rm", "-f", holder);
    dockerMaybe("volume", "rm", "-f", volume);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps trying while a container holds the volume, removes it once free, and confirms a volume already gone", async () => {
    const sent: BridgeFrame[] = [];
    const removals = new WorkspaceRemovals({
      docker: "docker",
      use: new WorkspaceUse(dataDir),
      log: { info: () => {}, warn: () => {}, error: () => {} },
      send: (f) => (sent.push(f), true),
      inUse: () => false,
      retryMs: 100,
    });
    await removals.request({ t: "workspace.remove", id: "wsrm_a", channelId, senderId: "ana" });
    expect(sent).toEqual([]);
    expect(exists(volume)).toBe(true);
    docker("rm", "-f", holder);
    holder = "";
    await expect.poll(() => sent, { timeout: 30_000, interval: 100 }).toEqual([{ t: "workspace.removed", id: "wsrm_a" }]);
    expect(exists(volume)).toBe(false);

    await removals.request({ t: "workspace.remove", id: "wsrm_a", channelId, senderId: "ana" });
    expect(sent).toHaveLength(2);
    removals.stop();
  });
});
