/**
 * Pruning of container workspaces against a real Docker engine: workspace volumes idle past the
 * configured period are removed, recent ones and ones a container still uses are kept, volumes
 * the bridge had not seen start their idle clock instead of being removed, and the last-use
 * times survive a bridge restart (a new WorkspaceUse on the same data folder).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureVolume } from "../../bridge/src/containers/docker";
import { readContainerSettings } from "../../bridge/src/containers/settings";
import { pruneWorkspaces, WorkspaceUse } from "../../bridge/src/containers/workspace-prune";
import { docker, dockerMaybe, prepareDocker } from "../support/docker";

const DAY = 86_400_000;
const tag = `prune${process.pid}${Date.now().toString(36)}`;
const names = { old: `loopgate-ws-${tag}-old`, recent: `loopgate-ws-${tag}-recent`, busy: `loopgate-ws-${tag}-busy`, unseen: `loopgate-ws-${tag}-unseen` };
const exists = (volume: string) => dockerMaybe("volume", "inspect", volume) !== null;

describe("workspace pruning (real Docker)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "loopgate-prune-"));
  const ownDir = mkdtempSync(join(tmpdir(), "loopgate-prune-own-"));
  let holder = "";

  beforeAll(async () => {
    prepareDocker();
    for (const name of Object.values(names)) expect((await ensureVolume("docker", name, "ch_prune")).ok).toBe(true);
    // A container (created, not running) holds the busy volume, as a run in progress would.
    holder = docker("create", "--label", "loopgate.test=prune", "-v", `${names.busy}:/workspace`, "node:22-slim", "true");
  });

  afterAll(() => {
    if (holder) dockerMaybe("rm", "-f", holder);
    for (const name of Object.values(names)) dockerMaybe("volume", "rm", "-f", name);
    for (const dir of [dataDir, ownDir]) rmSync(dir, { recursive: true, force: true });
  });

  it("defaults to 30 days, and 0 turns it off", () => {
    const defaults = readContainerSettings({});
    const off = readContainerSettings({ CONTAINER_WORKSPACE_PRUNE_DAYS: "0" });
    expect(defaults.ok && defaults.settings.workspaceMaxIdleMs).toBe(30 * DAY);
    expect(off.ok && off.settings.workspaceMaxIdleMs).toBe(0);
  });

  it("removes workspaces idle past the period and keeps recent, busy and newly seen ones", async () => {
    const now = Date.now();
    const use = new WorkspaceUse(dataDir);
    use.touch(names.old, now - 31 * DAY);
    use.touch(names.recent, now - 29 * DAY);
    use.touch(names.busy, now - 40 * DAY);
    // The bridge restarts: the times come back from its data folder.
    const reopened = new WorkspaceUse(dataDir);
    const outcome = await pruneWorkspaces({ docker: "docker", use: reopened, maxIdleMs: 30 * DAY, now });
    expect(outcome.removed).toEqual([names.old]);
    expect(outcome.busy).toEqual([names.busy]);
    expect(exists(names.old)).toBe(false);
    expect(exists(names.recent)).toBe(true);
    expect(exists(names.busy)).toBe(true);
    // Never seen before: kept, and its idle clock started now.
    expect(exists(names.unseen)).toBe(true);
    expect(reopened.get(names.unseen)).toBe(now);
    expect(reopened.get(names.old)).toBeUndefined();

    // Once the holder is gone and another period has passed, the rest go too. A store that knows only this test's
    // volumes: any other workspace on the engine (another test's) is new to it, so it only starts its clock.
    dockerMaybe("rm", "-f", holder);
    holder = "";
    const own = new WorkspaceUse(ownDir);
    for (const name of [names.busy, names.recent, names.unseen]) own.touch(name, now);
    const later = await pruneWorkspaces({ docker: "docker", use: own, maxIdleMs: 30 * DAY, now: now + 31 * DAY });
    expect(later.removed.sort()).toEqual([names.busy, names.recent, names.unseen].sort());
    for (const name of [names.busy, names.recent, names.unseen]) expect(exists(name)).toBe(false);
  });
});
