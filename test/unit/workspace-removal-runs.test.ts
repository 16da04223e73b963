/**
 * A deleted sender's workspace is not removed under their run: the bridge's ContainerTurns, with
 * a stand-in `docker` whose `run` blocks until the test releases it, holds the removal while the
 * run is going and removes the volume (and confirms) only once it has ended.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ContainerTurns } from "../../bridge/src/containers/container-turns";
import { readContainerSettings } from "../../bridge/src/containers/settings";
import type { BridgeFrame } from "../../src/protocol/bridge";

const dir = mkdtempSync(join(tmpdir(), "loopgate-wsrm-runs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const calls = join(dir, "calls");
const release = join(dir, "release");
const bin = join(dir, "docker");
writeFileSync(
  bin,
  `#!/bin/sh
echo "$*" >> '${calls}'
if [ "$1" = run ]; then
  while [ ! -e '${release}' ]; do sleep 0.05; done
  echo '{"t":"done","ok":true,"text":"done","steps":1,"toolCalls":0}'
fi
exit 0
`,
);
chmodSync(bin, 0o755);
const dockerCalls = () => (existsSync(calls) ? readFileSync(calls, "utf8").trim().split("\n") : []);

describe("a workspace removal during the sender's run", () => {
  it("waits for the run to end, then removes the volume and confirms", async () => {
    const read = readContainerSettings({ DOCKER_BIN: bin, CONTAINER_WORKSPACE_PRUNE_DAYS: "0" });
    if (!read.ok) throw new Error(read.error);
    const sent: BridgeFrame[] = [];
    const turns = new ContainerTurns({
      dataDir: join(dir, "data"),
      settings: read.settings,
      log: { info: () => {}, warn: () => {}, error: () => {} },
      send: (f) => (sent.push(f), true),
    });
    turns.onFrame({
      t: "turn",
      id: "run_busy",
      channelId: "ch_r",
      senderId: "ana",
      expiresAt: Date.now() + 60_000,
      spec: { model: "m", maxTokens: 10, maxSteps: 1, tokenBudget: 1000, system: [], messages: [{ role: "user", content: "hi" }], tools: [] },
    });
    await expect.poll(() => sent.some((f) => f.t === "turn.event" && f.kind === "container.started"), { timeout: 10_000 }).toBe(true);

    turns.onFrame({ t: "workspace.remove", id: "wsrm_r", channelId: "ch_r", senderId: "ana" });
    await expect.poll(() => dockerCalls().some((c) => c.startsWith("run ")), { timeout: 5000 }).toBe(true);
    expect(dockerCalls().some((c) => c.startsWith("volume rm"))).toBe(false);
    expect(sent.some((f) => f.t === "workspace.removed")).toBe(false);

    writeFileSync(release, "");
    await expect.poll(() => sent.find((f) => f.t === "workspace.removed"), { timeout: 10_000 }).toEqual({ t: "workspace.removed", id: "wsrm_r" });
    const order = sent.map((f) => f.t);
    expect(order.indexOf("turn.result")).toBeLessThan(order.indexOf("workspace.removed"));
    expect(dockerCalls().filter((c) => c.startsWith("volume rm"))).toHaveLength(1);
    await turns.stop();
  }, 30_000);
});
