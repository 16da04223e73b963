/**
 * The bridge's removal of a deleted sender's workspace (bridge/src/containers/workspace-removal.ts),
 * behind a stand-in `docker` that answers `volume rm` as Docker does (removed; "no such volume";
 * in use) and records each call: a removal waits while the sender's run is queued or running and
 * goes when it ends, a volume Docker refuses is tried again, a volume already gone counts as
 * removed, and `workspace.removed` is sent only once the volume is gone. Real Docker's answers are
 * checked in test/e2e/workspace-removal.test.ts.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { workspaceVolume } from "../../bridge/src/containers/docker-args";
import { WorkspaceUse } from "../../bridge/src/containers/workspace-prune";
import { WorkspaceRemovals } from "../../bridge/src/containers/workspace-removal";
import type { BridgeFrame } from "../../src/protocol/bridge";

const dir = mkdtempSync(join(tmpdir(), "loopgate-wsrm-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const calls = join(dir, "calls");
const bin = join(dir, "docker");
// A volume exists while its file exists; a ".busy" file makes Docker refuse as for a volume in use.
writeFileSync(
  bin,
  `#!/bin/sh
echo "$*" >> '${calls}'
v="$3"
if [ -e '${dir}/'"$v.busy" ]; then echo "Error response from daemon: remove $v: volume is in use - [abc]" >&2; exit 1; fi
if [ ! -e '${dir}/'"$v" ]; then echo "Error response from daemon: get $v: no such volume" >&2; exit 1; fi
rm '${dir}/'"$v"
`,
);
chmodSync(bin, 0o755);
const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const dockerCalls = () => (existsSync(calls) ? readFileSync(calls, "utf8").trim().split("\n") : []);

function setup() {
  const sent: BridgeFrame[] = [];
  const busy = new Set<string>();
  const use = new WorkspaceUse(mkdtempSync(join(dir, "data-")));
  const removals = new WorkspaceRemovals({ docker: bin, use, log: quiet, send: (f) => (sent.push(f), true), inUse: (v) => busy.has(v), retryMs: 20 });
  return { sent, busy, use, removals };
}

describe("removing a deleted sender's workspace on the bridge", () => {
  it("removes the volume, forgets its last use and confirms", async () => {
    const { sent, use, removals } = setup();
    const volume = workspaceVolume("ch_a", "ana");
    writeFileSync(join(dir, volume), "");
    use.touch(volume);
    await removals.request({ t: "workspace.remove", id: "wsrm_1", channelId: "ch_a", senderId: "ana" });
    expect(existsSync(join(dir, volume))).toBe(false);
    expect(dockerCalls()).toContain(`volume rm ${volume}`);
    expect(use.get(volume)).toBeUndefined();
    expect(sent).toEqual([{ t: "workspace.removed", id: "wsrm_1" }]);
    // Sent again (the answer was lost): the volume is gone, which is confirmed again.
    await removals.request({ t: "workspace.remove", id: "wsrm_1", channelId: "ch_a", senderId: "ana" });
    expect(sent).toHaveLength(2);
    expect(removals.waiting()).toEqual([]);
  });

  it("waits for the sender's run to end, and touches no other sender's workspace", async () => {
    const { sent, busy, removals } = setup();
    const volume = workspaceVolume("ch_b", "bo");
    const other = workspaceVolume("ch_b", "cy");
    writeFileSync(join(dir, volume), "");
    busy.add(volume);
    const before = dockerCalls().length;
    await removals.request({ t: "workspace.remove", id: "wsrm_2", channelId: "ch_b", senderId: "bo" });
    expect(dockerCalls().length).toBe(before);
    expect(sent).toEqual([]);
    expect(removals.waiting()).toEqual([volume]);
    await removals.runEnded(other);
    expect(sent).toEqual([]);
    busy.delete(volume);
    await removals.runEnded(volume);
    expect(existsSync(join(dir, volume))).toBe(false);
    expect(sent).toEqual([{ t: "workspace.removed", id: "wsrm_2" }]);
  });

  it("tries again while Docker refuses (a container still holds the volume), then confirms", async () => {
    const { sent, removals } = setup();
    const volume = workspaceVolume("ch_c", "di");
    writeFileSync(join(dir, volume), "");
    writeFileSync(join(dir, `${volume}.busy`), "");
    await removals.request({ t: "workspace.remove", id: "wsrm_3", channelId: "ch_c", senderId: "di" });
    expect(sent).toEqual([]);
    expect(removals.waiting()).toEqual([volume]);
    rmSync(join(dir, `${volume}.busy`));
    await expect.poll(() => sent, { timeout: 5000, interval: 20 }).toEqual([{ t: "workspace.removed", id: "wsrm_3" }]);
    expect(dockerCalls().filter((c) => c === `volume rm ${volume}`).length).toBeGreaterThanOrEqual(2);
    expect(existsSync(join(dir, volume))).toBe(false);
    removals.stop();
  });
});
