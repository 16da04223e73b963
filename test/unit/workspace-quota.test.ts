/**
 * The workspace quota (docs/containers.md, "Workspace quota"): the runner's measurement, its
 * write_file refusing a write past the quota, the bridge refusing a run on a full workspace with
 * the "quota" outcome and the sizes, and the gateway telling the sender how full it is. The
 * bridge-to-runner path runs the real runner as a process behind a stand-in `docker` that
 * execs it (the container's hardening is covered by test/e2e/agent-container.test.ts).
 */
import { chmodSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTool } from "../../bridge/agent-runner/tools";
import { workspaceBytes } from "../../bridge/agent-runner/workspace-size";
import { runInContainer, type RunHooks } from "../../bridge/src/containers/container-run";
import { readContainerSettings, type ContainerSettings } from "../../bridge/src/containers/settings";
import { containerStageOutput } from "../../src/agent/container-turn";
import type { ContainerTurnResult } from "../../src/protocol/container";
import { containerTurnResult } from "../../src/protocol/container";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-messages";
import { ROOT } from "../support/gateway-process";
import { testSpec, testTurn } from "../support/container-spec";

const MB = 1024 * 1024;
const KEY = "sk-ant-unit-quota";
const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("workspace size", () => {
  it("counts every file once (hard links too) and follows no symlink out of the workspace", async () => {
    const root = tempDir("loopgate-quota-");
    const outside = tempDir("loopgate-quota-out-");
    writeFileSync(join(outside, "big"), Buffer.alloc(5000));
    mkdirSync(join(root, "a/b"), { recursive: true });
    writeFileSync(join(root, "a/one"), Buffer.alloc(1000));
    writeFileSync(join(root, "a/b/two"), Buffer.alloc(234));
    linkSync(join(root, "a/one"), join(root, "a/one-again"));
    symlinkSync(outside, join(root, "escape"));
    symlinkSync(join(outside, "big"), join(root, "big-link"));
    expect(await workspaceBytes(root)).toBe(1234);
    expect(await workspaceBytes(join(root, "missing"))).toBe(0);
  });
});

describe("write_file under a quota", () => {
  it("refuses a write that would pass the quota, and counts the file it replaces as freed", async () => {
    const root = tempDir("loopgate-quota-");
    const limits = { outputBytes: 200, commandTimeoutMs: 2000, writeBytes: 1000, workspaceBytes: 1500 };
    writeFileSync(join(root, "old.txt"), Buffer.alloc(800));
    expect(await runTool("write_file", { path: "new.txt", content: "x".repeat(701) }, root, limits)).toEqual({
      isError: true,
      content: "the workspace quota is 1500 bytes; this write would make it 1501 bytes. Delete files first.",
    });
    expect(await runTool("write_file", { path: "new.txt", content: "x".repeat(600) }, root, limits)).toEqual({ content: "wrote 600 bytes to new.txt" });
    // Replacing old.txt (800) with 900 bytes makes 1500: allowed; 901 is not.
    expect(await runTool("write_file", { path: "old.txt", content: "y".repeat(901) }, root, limits)).toMatchObject({ isError: true });
    expect(await runTool("write_file", { path: "old.txt", content: "y".repeat(900) }, root, limits)).toEqual({ content: "wrote 900 bytes to old.txt" });
    expect(await workspaceBytes(root)).toBe(1500);
  });
});

describe("quota setting", () => {
  it("defaults to 1024 MB, and 0 turns it off", () => {
    const defaults = readContainerSettings({});
    const off = readContainerSettings({ CONTAINER_WORKSPACE_QUOTA_MB: "0" });
    expect(defaults.ok && defaults.settings.workspaceQuotaBytes).toBe(1024 * MB);
    expect(off.ok && off.settings.workspaceQuotaBytes).toBe(0);
    expect(readContainerSettings({ CONTAINER_WORKSPACE_QUOTA_MB: "-1" }).ok).toBe(false);
  });
});

describe("a run on the bridge with a quota (the real runner behind a stand-in docker)", () => {
  let fake: FakeAnthropic;
  const workspace = tempDir("loopgate-quota-ws-");
  const bin = tempDir("loopgate-quota-bin-");
  const dockerBin = join(bin, "docker");

  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY });
    // `docker run …` becomes the runner on this folder; volume create and rm succeed.
    writeFileSync(
      dockerBin,
      `#!/bin/sh\nif [ "$1" = run ]; then LOOPGATE_WORKSPACE='${workspace}' exec '${join(ROOT, "node_modules/.bin/tsx")}' '${join(ROOT, "bridge/agent-runner/runner.ts")}'; fi\nexit 0\n`,
    );
    chmodSync(dockerBin, 0o755);
  });
  afterAll(() => fake.close());

  const settings = (quotaMb: string): ContainerSettings => {
    const read = readContainerSettings({ DOCKER_BIN: dockerBin, CONTAINER_WORKSPACE_QUOTA_MB: quotaMb, ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url });
    if (!read.ok) throw new Error(read.error);
    return read.settings;
  };
  const hooks: RunHooks = { started: () => {}, tool: () => {}, compacted: () => {}, gatewayTool: async () => ({ content: "" }) };
  const turn = () => testTurn(`run_${Math.random().toString(36).slice(2)}`, "ch_quota", testSpec("hello", { maxTokens: 100, maxSteps: 2 }));
  const run = (quotaMb: string) =>
    runInContainer({ turn: turn(), settings: settings(quotaMb), instance: "unit", hooks, signal: new AbortController().signal, queuedMs: 0 });

  it("answers under the quota and reports the size the run left; refuses a full workspace without calling the model", async () => {
    writeFileSync(join(workspace, "data.bin"), Buffer.alloc(2 * MB));
    const before = fake.requests.length;
    const under = await run("3");
    expect(under).toMatchObject({ outcome: "answered", workspace: { usedBytes: 2 * MB, quotaBytes: 3 * MB } });
    expect(fake.requests.length).toBe(before + 1);

    const full = await run("1");
    expect(containerTurnResult.parse(full)).toMatchObject({ outcome: "quota", steps: 0, workspace: { usedBytes: 2 * MB, quotaBytes: 1 * MB } });
    expect(full.error).toContain("over quota");
    expect(fake.requests.length).toBe(before + 1);

    // No quota: nothing measured, nothing reported.
    const unlimited = await run("0");
    expect(unlimited.outcome).toBe("answered");
    expect(unlimited.workspace).toBeUndefined();
  }, 60_000);
});

describe("the gateway's side of a refused run", () => {
  it("tells the sender how full the workspace is and shows the sizes in the feed", () => {
    const result: ContainerTurnResult = {
      outcome: "quota",
      error: "workspace over quota: 1288490189 of 1073741824 bytes",
      calls: [],
      steps: 0,
      toolCalls: 0,
      queuedMs: 0,
      runMs: 40,
      workspace: { usedBytes: 1288490189, quotaBytes: 1073741824 },
    };
    const out = containerStageOutput({
      channelId: "ch_1",
      senderId: "ana",
      runId: "run_q",
      bridgeId: "brg_1",
      model: "m",
      text: "hi",
      dispatchedAt: Date.now(),
      result,
    });
    expect(out.reply.text).toBe("Sorry, your workspace is full: 1229 MB of 1024 MB. Please ask the admin to make room or raise the quota.");
    expect(out.run).toMatchObject({ status: "failed", error: result.error });
    expect(out.events[0]).toMatchObject({ kind: "container.finished" });
    expect(JSON.stringify(out.events[0])).toContain('"workspaceBytes":1288490189');
    expect(out.apiCalls).toEqual([]);
  });
});
