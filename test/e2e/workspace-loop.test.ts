/**
 * CONTAINER_WORKSPACE_FILESYSTEM=loop against the real kernel and a real Docker engine (CI runs
 * as root): the bridge's container runner (ContainerTurns) mounts the sender's ext4 image for a
 * run, a command inside the hardened container that writes past the quota fails with ENOSPC
 * while the files written before it stay intact, the image is unmounted after the run and the
 * next run finds the same files, a restarted bridge unmounts what a killed one left mounted, and
 * removing the sender deletes the image. Only this run's data folder, image tag and containers
 * are touched.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContainerTurns } from "../../bridge/src/containers/container-turns";
import { workspaceVolume } from "../../bridge/src/containers/docker-args";
import { checkLoopSupport, LoopWorkspaces, parseMountPoints } from "../../bridge/src/containers/loop-workspaces";
import { readContainerSettings, type ContainerSettings } from "../../bridge/src/containers/settings";
import type { BridgeFrame } from "../../src/protocol/bridge";
import type { ContainerTurnResult } from "../../src/protocol/container";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-messages";
import { buildImage, dockerMaybe, prepareDocker } from "../support/docker";
import { testSpec, testTurn } from "../support/container-spec";

const KEY = "sk-ant-e2e-loop";
const MB = 1024 * 1024;
const tag = `wsloop${process.pid}${Date.now().toString(36)}`;
const IMAGE = `loopgate-agent:${tag}`;
const channelId = `ch_${tag}`;
const volume = workspaceVolume(channelId, "ana");
const RUN_COMMAND = {
  name: "run_command",
  description: "Run a shell command in /workspace.",
  input_schema: { type: "object", properties: { command: { type: "string" } }, required: ["command"] },
};
const mountPoints = () => parseMountPoints(readFileSync("/proc/self/mountinfo", "utf8"));
const silent = { info: () => {}, warn: () => {}, error: () => {} };

describe("loop-mounted workspaces (real kernel, real Docker)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "loopgate-wsloop-"));
  const sent: BridgeFrame[] = [];
  let fake: FakeAnthropic;
  let settings: ContainerSettings;
  let turns: ContainerTurns;
  let seq = 0;
  const loop = () => new LoopWorkspaces({ dataDir, quotaBytes: settings.workspaceQuotaBytes });
  const newTurns = () => new ContainerTurns({ dataDir, settings, log: silent, send: (f) => (sent.push(f), true) });

  beforeAll(async () => {
    prepareDocker();
    buildImage(IMAGE, "bridge/agent-runner");
    fake = await startFakeAnthropic({ apiKey: KEY });
    const read = readContainerSettings({
      AGENT_CONTAINER_IMAGE: IMAGE,
      CONTAINER_WORKSPACE_FILESYSTEM: "loop",
      CONTAINER_WORKSPACE_QUOTA_MB: "8",
      CONTAINER_WORKSPACE_PRUNE_DAYS: "0",
      ANTHROPIC_API_KEY: KEY,
      ANTHROPIC_BASE_URL: fake.url,
    });
    if (!read.ok) throw new Error(read.error);
    settings = read.settings;
    turns = newTurns();
    await turns.start();
  }, 600_000);

  afterAll(async () => {
    await turns?.stop();
    await loop().stop();
    await fake?.close();
    dockerMaybe("rmi", "-f", IMAGE);
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** One turn through the bridge's runner: the model runs `command`, then reports its output. */
  const run = async (command: string): Promise<ContainerTurnResult> => {
    const id = `run_${tag}_${++seq}`;
    fake.enqueue({ kind: "tool_use", name: "run_command", input: { command } });
    const turn = testTurn(id, channelId, testSpec("go", { maxTokens: 200, tools: [RUN_COMMAND] }));
    turns.onFrame(turn);
    const found = () => sent.find((f): f is Extract<BridgeFrame, { t: "turn.result" }> => f.t === "turn.result" && f.id === id);
    await expect.poll(() => found(), { timeout: 120_000, interval: 100 }).toBeDefined();
    turns.onFrame({ t: "turn.result.ack", id });
    return found()!.result;
  };

  it("the host can loop-mount workspaces (the check the bridge makes before it starts)", async () => {
    expect(await checkLoopSupport(dataDir)).toBeNull();
    expect(mountPoints().filter((p) => p.startsWith(dataDir))).toEqual([]);
  });

  it("a command writing past the quota fails with ENOSPC; the files before it are intact and the image is unmounted after", async () => {
    const result = await run('printf ana-notes > notes.txt; head -c 20000000 /dev/zero > big.bin; echo "head exit $?"; cat notes.txt');
    expect(result.outcome).toBe("answered");
    expect(result.text).toContain("No space left on device");
    expect(result.text).toMatch(/head exit [1-9]/);
    expect(result.text).toContain("ana-notes");
    // The runner's own measurement after the run: what the filesystem let it keep, under the quota.
    expect(result.workspace!.usedBytes).toBeLessThan(8 * MB);
    expect(result.workspace!.usedBytes).toBeGreaterThan(4 * MB);
    const image = loop().imagePath(volume);
    expect(statSync(image).size).toBe(8 * MB);
    expect(mountPoints()).not.toContain(loop().mountPath(volume));
  });

  it("the next run sees the same files, and can make room again", async () => {
    const result = await run("cat notes.txt; rm big.bin && echo freed; ls -A");
    expect(result.outcome).toBe("answered");
    expect(result.text).toContain("ana-notes");
    expect(result.text).toContain("freed");
    expect(result.text).not.toContain("lost+found");
    expect(result.workspace!.usedBytes).toBe("ana-notes".length);
  });

  it("a restarted bridge unmounts what a killed one left mounted, and runs in it again", async () => {
    // A bridge killed mid-run: its mount is still there.
    const left = await loop().acquire(volume);
    expect(mountPoints()).toContain(left);
    // Not stopped: the old runner is abandoned as a killed process would be (it has no run in progress).
    turns = newTurns();
    await turns.start();
    expect(mountPoints()).not.toContain(left);
    const result = await run("cat notes.txt");
    expect(result.text).toContain("ana-notes");
  });

  it("a raised quota grows an image on its next mount, files intact (real e2fsck and resize2fs)", async () => {
    const name = `${volume}-grow`;
    const small = loop();
    const dir = await small.acquire(name);
    writeFileSync(join(dir, "kept.txt"), "still here");
    const sizeOf = () => statfsSync(dir).blocks * statfsSync(dir).bsize;
    expect(sizeOf()).toBeLessThan(8 * MB);
    await small.release(name);
    const big = new LoopWorkspaces({ dataDir, quotaBytes: 32 * MB });
    await big.acquire(name);
    expect(sizeOf()).toBeGreaterThan(28 * MB);
    expect(readFileSync(join(dir, "kept.txt"), "utf8")).toBe("still here");
    await big.release(name);
    expect(await big.remove(name)).toBe(true);
  });

  it("removing the sender unmounts and deletes the image", async () => {
    const image = loop().imagePath(volume);
    expect(existsSync(image)).toBe(true);
    turns.onFrame({ t: "workspace.remove", id: `wsrm_${tag}`, channelId, senderId: "ana" });
    await expect.poll(() => sent.some((f) => f.t === "workspace.removed" && f.id === `wsrm_${tag}`), { timeout: 30_000, interval: 100 }).toBe(true);
    expect(existsSync(image)).toBe(false);
    expect(existsSync(loop().mountPath(volume))).toBe(false);
    expect(mountPoints().filter((p) => p.startsWith(dataDir))).toEqual([]);
  });
});
