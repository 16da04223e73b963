/**
 * Container mode end to end with a real Docker engine: the gateway (`npm start`, no model key
 * of its own), the bridge as a process with the key in its environment, the agent-runner image
 * built offline, and the fake Messages API that asks for shell commands. Checks that commands
 * run inside a hardened container, that the key is in neither the container's environment,
 * files, process list nor stdin, that it has no network, that the fourth of four runs waits for
 * a slot, that a run past CONTAINER_TIMEOUT_MS is killed and removed and the sender told, that
 * the workspace is per sender and persists, and that a bridge killed mid-run leaves nothing.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-messages";
import { startBridge, type BridgeProcess } from "../support/bridge-process";
import { buildImage, docker, prepareDocker } from "../support/docker";
import { apiClient, removeState, setupAdmin, startGateway, waitFor, type GatewayProcess } from "../support/gateway-process";
import { startReceiver } from "../support/http-receiver";
import { postWebhook } from "../support/signed-webhook";
import { keepLogs } from "../support/e2e-logs";

const PORT = 8920;
const KEY = "sk-ant-isolation-e2e-5c2b8e71";
/** The key's tail, split so that no command line or request the test sends contains it whole. */
const KEY_TAIL = ["5c2b", "8e71"] as const;
const IMAGE = "loopgate-agent:latest";
const TIMEOUT_MS = 12_000;
/** The gateway's wait for a result; longer than any run here, shorter than the whole file. */
const RESULT_TIMEOUT_MS = 25_000;
const TOOLS = ["list_files", "read_file", "run_command", "write_file"];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Api = ReturnType<typeof apiClient>;
type Json = Record<string, unknown>;

/** The fake model runs what the sender wrote after "RUN:" as a run_command, then reports the output. */
function lastUserText(body: Json): { text: string; hasResults: boolean } {
  const user = [...(body.messages as Json[])].reverse().find((m) => m.role === "user");
  const blocks = (user?.content ?? []) as Json[];
  return {
    text: blocks
      .filter((b) => b.type === "text")
      .map((b) => String(b.text))
      .join("\n"),
    hasResults: blocks.some((b) => b.type === "tool_result"),
  };
}

describe("container-isolated agent runs", () => {
  let fake: FakeAnthropic;
  let gw: GatewayProcess;
  let api: Api;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let bridge: BridgeProcess;
  let bridgeId: string;
  let token: string;
  let inboundUrl: string;
  let secret: string;
  let channelId: string;
  const work = mkdtempSync(join(tmpdir(), "loopgate-containers-"));
  const dataDir = join(work, "bridge-data");
  const stdinLog = join(work, "container-stdin.log");
  const bridges: BridgeProcess[] = [];
  let n = 0;
  let strandedSentAt = 0;
  let feed: WebSocket;
  /** Everything the live feed pushed to an admin during the file. */
  const feedEvents: { kind: string; senderId?: string; detail: Json }[] = [];

  const runBridge = () => {
    // Records every byte the bridge writes to a container's stdin, then runs the real docker.
    const wrapper = join(work, "docker-tee.sh");
    const real = execFileSync("sh", ["-c", "command -v docker"], { encoding: "utf8" }).trim();
    writeFileSync(wrapper, `#!/bin/sh\nif [ "$1" = run ]; then tee -a "${stdinLog}" | "${real}" "$@"; else exec "${real}" "$@"; fi\n`);
    chmodSync(wrapper, 0o755);
    const b = startBridge({
      url: gw.url,
      token,
      dataDir,
      heartbeatMs: 1000,
      env: {
        ANTHROPIC_API_KEY: KEY,
        ANTHROPIC_BASE_URL: fake.url,
        MAX_CONCURRENT_CONTAINERS: "3",
        CONTAINER_TIMEOUT_MS: String(TIMEOUT_MS),
        AGENT_CONTAINER_IMAGE: IMAGE,
        DOCKER_BIN: wrapper,
      },
    });
    bridges.push(b);
    return b;
  };
  const repliesTo = (sender: string) =>
    receiver.received
      .map((r) => JSON.parse(r.body) as { recipient: string; text: string })
      .filter((r) => r.recipient === sender)
      .map((r) => r.text);
  /** Sends a message and waits for the sender's next reply. */
  const ask = async (sender: string, text: string, timeoutMs = 60_000): Promise<string> => {
    const before = repliesTo(sender).length;
    const res = await postWebhook(inboundUrl, secret, { messageId: `m-${++n}`, sender: { id: sender }, text });
    expect(res.status).toBe(200);
    await waitFor(async () => repliesTo(sender).length > before, timeoutMs, `a reply to ${sender}`);
    return repliesTo(sender)[before]!;
  };
  const agentContainers = () => docker("ps", "-aq", "--filter", "label=loopgate.agent").split("\n").filter(Boolean);

  beforeAll(async () => {
    prepareDocker();
    buildImage(IMAGE, "bridge/agent-runner");
    fake = await startFakeAnthropic({
      apiKey: KEY,
      respond: (body) => {
        const { text, hasResults } = lastUserText(body);
        const command = /RUN: (.+?)\n?<\/channel_message>/s.exec(text)?.[1];
        return command && !hasResults ? { kind: "tool_use", name: "run_command", input: { command } } : undefined;
      },
    });
    receiver = await startReceiver();
    gw = await startGateway({
      port: PORT,
      env: { API_RATE_LIMIT_PER_MINUTE: "100000", DELIVERY_RETRY_BASE_MS: "100", AGENT_CONTAINER_RESULT_TIMEOUT_MS: String(RESULT_TIMEOUT_MS) },
    });
    const admin = await setupAdmin(gw);
    api = admin.api;
    feed = new WebSocket(`${gw.url.replace("http", "ws")}/api/live`, { headers: { authorization: `Bearer ${admin.token}` } });
    feed.on("message", (data) => feedEvents.push(JSON.parse(String(data)) as (typeof feedEvents)[number]));
    await new Promise((resolve, reject) => feed.once("open", resolve).once("error", reject));
    const created = await api<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: "docker-host" });
    ({ token } = created.body);
    bridgeId = created.body.bridge.id;
    const ch = await api<{ channel: { id: string; inboundUrl: string }; generatedSecrets: { secret: string } }>("POST", "/api/channels", {
      type: "webhook",
      name: "sandbox",
      policy: "open",
      rateLimitPerMinute: 1000,
      config: { callbackUrl: `${receiver.url}/replies` },
      // An open channel's senders are public: the container tools are granted explicitly.
      agent: { container: true, containerBridgeId: bridgeId, tools: TOOLS },
    });
    expect(ch.status).toBe(201);
    channelId = ch.body.channel.id;
    inboundUrl = ch.body.channel.inboundUrl;
    secret = ch.body.generatedSecrets.secret;
    bridge = runBridge();
    await waitFor(
      async () => (await api<{ bridge: { connected: boolean } }>("GET", `/api/bridges/${bridgeId}`)).body.bridge.connected,
      30_000,
      "bridge connected",
    );

    // A channel whose container bridge never connects: its sender is answered when the gateway stops waiting (last test).
    const offline = await api<{ bridge: { id: string } }>("POST", "/api/bridges", { name: "never-connects" });
    const stranded = await api<{ channel: { inboundUrl: string }; generatedSecrets: { secret: string } }>("POST", "/api/channels", {
      type: "webhook",
      name: "stranded",
      policy: "open",
      config: { callbackUrl: `${receiver.url}/replies` },
      agent: { container: true, containerBridgeId: offline.body.bridge.id, tools: TOOLS },
    });
    strandedSentAt = Date.now();
    expect(
      (
        await postWebhook(stranded.body.channel.inboundUrl, stranded.body.generatedSecrets.secret, {
          messageId: "stranded-1",
          sender: { id: "stranded" },
          text: "RUN: echo hi",
        })
      ).status,
    ).toBe(200);
  });

  afterAll(async () => {
    keepLogs({ ...Object.fromEntries(bridges.map((b, i) => [`container-bridge-${i}.log`, b.output()])), "container-gateway.log": gw.output() });
    for (const b of bridges) await b.kill();
    feed?.close();
    await gw?.stop();
    await fake?.close();
    await receiver?.close();
    if (gw) removeState(gw.stateDir);
    for (const id of agentContainers()) docker("rm", "-f", id);
    // The workspaces this file's senders got (every run of it makes new channels, so new volumes).
    const volumes = channelId ? docker("volume", "ls", "-q", "--filter", `label=loopgate.channel=${channelId}`).split("\n").filter(Boolean) : [];
    if (volumes.length) docker("volume", "rm", ...volumes);
  });

  it("runs the model's shell command inside a hardened, network-less container that never sees the key", async () => {
    const probe = [
      "echo uid=$(id -u)",
      "grep -E '^(CapEff|NoNewPrivs)' /proc/self/status",
      "echo nets=$(ls /sys/class/net | tr '\\n' ,)",
      "touch /probe-root 2>/dev/null && echo root=writable || echo root=read-only",
      "grep ' /tmp ' /proc/mounts",
      "test -e /var/run/docker.sock && echo socket=present || echo socket=absent",
      `printf '%s%s' ${KEY_TAIL[0]} ${KEY_TAIL[1]} > /tmp/p`,
      "echo env-hits=$(env | grep -c -f /tmp/p)",
      "echo proc-hits=$(cat /proc/[0-9]*/cmdline /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c -f /tmp/p)",
      "echo ps-lines=$(ps -eo pid,args | wc -l)",
      "echo file-hits=$(grep -rlsF -f /tmp/p / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev 2>/dev/null | grep -v '^/tmp/p$' | wc -l)",
      `node -e "require('net').connect(${new URL(fake.url).port},'172.17.0.1').on('connect',()=>console.log('net=connected')).on('error',e=>console.log('net='+e.code))"`,
      `node -e "fetch('http://example.com').then(()=>console.log('dns=ok'),e=>console.log('dns='+(e.cause?.code??e)))"`,
      "echo ana-was-here > /workspace/marker.txt && echo marker=written",
    ].join("; ");
    const reply = await ask("ana", `RUN: ${probe}`);
    expect(reply).toMatch(/^Tool results: exit code 0/);
    expect(reply).toContain("uid=1000");
    expect(reply).toMatch(/CapEff:\s+0000000000000000/);
    expect(reply).toMatch(/NoNewPrivs:\s+1/);
    expect(reply).toContain("nets=lo,");
    expect(reply).toContain("root=read-only");
    expect(reply).toMatch(/tmpfs \/tmp tmpfs rw,nosuid,nodev,noexec/);
    expect(reply).toContain("socket=absent");
    expect(reply).toContain("env-hits=0");
    expect(reply).toContain("proc-hits=0");
    expect(Number(/ps-lines=(\d+)/.exec(reply)?.[1])).toBeGreaterThan(2);
    expect(reply).toContain("file-hits=0");
    expect(reply).toMatch(/net=(ENETUNREACH|EHOSTUNREACH)/);
    expect(reply).toMatch(/dns=(EAI_AGAIN|ENOTFOUND)/);
    expect(reply).toContain("marker=written");

    // The key went only from the bridge to the model: in the request headers, never on the container's stdin.
    const modelCalls = fake.requests.filter((r) => r.status === 200);
    expect(modelCalls.length).toBeGreaterThanOrEqual(2);
    expect(modelCalls.every((r) => r.headers["x-api-key"] === KEY)).toBe(true);
    const stdin = readFileSync(stdinLog, "utf8");
    expect(stdin).toContain('"t":"start"');
    expect(stdin).toContain('"t":"model.result"');
    expect(stdin).not.toContain(KEY_TAIL.join(""));
    await waitFor(async () => agentContainers().length === 0, 10_000, "the container removed");

    // Usage: one api_calls row per model request, marked container; the run and the feed events are recorded.
    const runs = await api<{ runs: { id: string; status: string }[] }>("GET", `/api/runs?channelId=${channelId}`);
    const runId = runs.body.runs[0]!.id;
    const calls = await api<{
      calls: { id: string; mode: string; inputTokens: number; cacheWriteTokens: number; cacheReadTokens: number; outputTokens: number }[];
    }>("GET", `/api/usage/calls?runId=${runId}`);
    expect(calls.body.calls.length).toBe(2);
    expect(calls.body.calls.every((c) => c.mode === "container" && c.inputTokens + c.cacheWriteTokens + c.cacheReadTokens > 0 && c.outputTokens > 0)).toBe(
      true,
    );
    // The runner keeps the request prefix stable: its second request reads the first one's prompt from the cache.
    const [first, second] = [...calls.body.calls].sort((a, b) => a.id.localeCompare(b.id));
    expect(second!.cacheReadTokens).toBeGreaterThanOrEqual(first!.cacheWriteTokens);
    const finished = await api<{ events: { detail: Json }[] }>("GET", `/api/events?kind=container.finished&channelId=${channelId}`);
    expect(finished.body.events[0]!.detail).toMatchObject({ runId, outcome: "answered", toolCalls: 1, bridgeId });
    expect(bridge.logs("container tool call").length).toBeGreaterThanOrEqual(1);
    // The run as the dashboard's live feed showed it, in order.
    await waitFor(async () => feedEvents.some((e) => e.kind === "agent.run" && e.detail?.runId === runId), 10_000, "the run on the live feed");
    const seen = feedEvents.filter((e) => e.detail?.runId === runId).map((e) => e.kind);
    expect(seen.filter((k) => k.startsWith("container.") || k === "agent.run")).toEqual([
      "container.dispatched",
      "container.started",
      "container.tool",
      "container.finished",
      "agent.run",
    ]);
    expect(feedEvents.find((e) => e.kind === "container.tool" && e.detail?.runId === runId)?.detail).toMatchObject({ tool: "run_command", ok: true, step: 1 });
  });

  it("keeps a sender's workspace between runs and hides it from other senders", async () => {
    expect(await ask("ana", "RUN: cat /workspace/marker.txt")).toContain("ana-was-here");
    const bob = await ask("bob", "RUN: ls -A /workspace; cat /workspace/marker.txt");
    expect(bob).toContain("No such file");
    expect(bob).not.toContain("ana-was-here");
    const volumes = docker("volume", "ls", "-q", "--filter", `label=loopgate.channel=${channelId}`).split("\n");
    expect(volumes.filter((v) => v.startsWith("loopgate-ws-"))).toHaveLength(2);
  });

  it("runs at most MAX_CONCURRENT_CONTAINERS at once: the fourth run waits for a free slot", async () => {
    const senders = ["q1", "q2", "q3", "q4"];
    const before = senders.map((s) => repliesTo(s).length);
    let peak = 0;
    let inspected: Json | null = null;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const running = agentContainers();
        peak = Math.max(peak, running.length);
        if (!inspected && running.length) inspected = (JSON.parse(docker("inspect", running[0]!)) as Json[])[0]!;
        await sleep(150);
      }
    })();
    await Promise.all(senders.map((s) => postWebhook(inboundUrl, secret, { messageId: `m-${++n}`, sender: { id: s }, text: `RUN: sleep 3; echo done-${s}` })));
    await waitFor(async () => senders.every((s, i) => repliesTo(s).length > before[i]!), 60_000, "four replies");
    sampling = false;
    await sampler;
    for (const s of senders) expect(repliesTo(s).at(-1)).toContain(`done-${s}`);
    expect(peak).toBe(3);
    expect(bridge.logs("container run queued")).toHaveLength(1);
    expect(feedEvents.filter((e) => e.kind === "container.queued").map((e) => e.detail)).toEqual([expect.objectContaining({ position: 1, maxConcurrent: 3 })]);
    const started = bridge
      .logs("container started")
      .slice(-4)
      .map((l) => Date.parse(String(l.at)));
    const finished = bridge
      .logs("container finished")
      .slice(-4)
      .map((l) => Date.parse(String(l.at)));
    expect(started[3]!).toBeGreaterThanOrEqual(Math.min(...finished.slice(0, 3)));

    // The hardening as Docker reports it for a running agent container.
    const host = inspected!.HostConfig as Json;
    expect(host.NetworkMode).toBe("none");
    expect(host.ReadonlyRootfs).toBe(true);
    expect(host.CapDrop).toEqual(["ALL"]);
    expect(host.SecurityOpt).toEqual(["no-new-privileges"]);
    expect(host.PidsLimit).toBe(128);
    expect(host.Memory).toBe(512 * 1024 * 1024);
    expect(host.NanoCpus).toBe(1e9);
    expect(host.Binds ?? []).toEqual([]);
    expect((inspected!.Config as Json).User).toBe("1000:1000");
    expect(JSON.stringify((inspected!.Config as Json).Env)).not.toContain(KEY_TAIL.join(""));
    expect((inspected!.Mounts as Json[]).map((m) => [m.Type, m.Destination])).toEqual([["volume", "/workspace"]]);
  });

  it("kills a run past CONTAINER_TIMEOUT_MS, removes its container and tells the sender", async () => {
    const started = Date.now();
    const reply = await ask("slow", "RUN: sleep 100; echo never", 60_000);
    expect(reply).toMatch(/took too long/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 500);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 20_000);
    await waitFor(async () => agentContainers().length === 0, 10_000, "the killed container removed");
    const killed = await api<{ events: { detail: Json }[] }>("GET", `/api/events?kind=container.killed&channelId=${channelId}`);
    expect(killed.body.events[0]!.detail).toMatchObject({ outcome: "timeout" });
    expect(bridge.logs("container killed")).toHaveLength(1);
  });

  it("removes a container left by a bridge killed mid-run when the bridge starts again, and tells the sender", async () => {
    const before = repliesTo("crash").length;
    const asked = fake.requests.length;
    await postWebhook(inboundUrl, secret, { messageId: `m-${++n}`, sender: { id: "crash" }, text: "RUN: sleep 100" });
    // Killed while the command runs (a runner still waiting for the model just exits when its bridge goes).
    await waitFor(async () => fake.requests.length > asked && agentContainers().length === 1, 30_000, "the run's command started");
    await waitFor(async () => docker("top", agentContainers()[0]!).includes("sleep 100"), 20_000, "the command running in the container");
    await bridge.kill(); // SIGKILL, and waits for the process to be gone: nothing can clean up after it
    expect(agentContainers()).toHaveLength(1);
    bridge = runBridge();
    await waitFor(async () => agentContainers().length === 0, 20_000, "the leftover container removed at start");
    await waitFor(async () => repliesTo("crash").length > before, 30_000, "the sender told");
    expect(repliesTo("crash").at(-1)).toMatch(/restarted/);
    expect(bridge.logs("removed containers left by a previous run of the bridge")).toHaveLength(1);
  });

  it("tells the sender when no bridge answers within AGENT_CONTAINER_RESULT_TIMEOUT_MS", async () => {
    await waitFor(async () => repliesTo("stranded").length > 0, RESULT_TIMEOUT_MS + 30_000, "the stranded sender told");
    expect(Date.now() - strandedSentAt).toBeGreaterThanOrEqual(RESULT_TIMEOUT_MS - 1000);
    expect(repliesTo("stranded")).toEqual([expect.stringMatching(/could not get to your message in time/)]);
    const finished = await api<{ events: { senderId: string; detail: Json }[] }>("GET", "/api/events?kind=container.finished&limit=50");
    expect(finished.body.events.find((e) => e.senderId === "stranded")?.detail).toMatchObject({
      outcome: "expired",
      error: expect.stringContaining("AGENT_CONTAINER_RESULT_TIMEOUT_MS"),
    });
  });
});
