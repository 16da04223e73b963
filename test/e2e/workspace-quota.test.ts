/**
 * The workspace quota in the real hardened container (its own image tag, its own volume): a run
 * on a workspace over CONTAINER_WORKSPACE_QUOTA_MB ends with the `quota` outcome before any model
 * call, and under the quota the runner's write_file refuses a write that would pass it (the model
 * gets the refusal as an error tool result) and the run reports the size it left. Only this
 * run's image tag and volume are touched.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runInContainer, type RunHooks } from "../../bridge/src/containers/container-run";
import { workspaceVolume } from "../../bridge/src/containers/docker-args";
import { ensureVolume } from "../../bridge/src/containers/docker";
import { readContainerSettings } from "../../bridge/src/containers/settings";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-messages";
import { buildImage, docker, dockerMaybe, prepareDocker } from "../support/docker";
import { testSpec, testTurn } from "../support/container-spec";

const KEY = "sk-ant-e2e-quota";
const MB = 1024 * 1024;
const tag = `wsq${process.pid}${Date.now().toString(36)}`;
const IMAGE = `loopgate-agent:${tag}`;
const channelId = `ch_${tag}`;
const volume = workspaceVolume(channelId, "ana");
const WRITE_FILE = {
  name: "write_file",
  description: "Create or replace a file in /workspace.",
  input_schema: { type: "object", properties: { path: { type: "string" }, content: { type: "string" } }, required: ["path", "content"] },
};

describe("workspace quota (real Docker)", () => {
  let fake: FakeAnthropic;

  beforeAll(async () => {
    prepareDocker();
    buildImage(IMAGE, "bridge/agent-runner");
    fake = await startFakeAnthropic({ apiKey: KEY });
    expect((await ensureVolume("docker", volume, channelId)).ok).toBe(true);
    // 2.5 MiB already in the workspace, written as the run's own user would.
    docker(
      "run",
      "--rm",
      "--user",
      "1000:1000",
      "-v",
      `${volume}:/workspace`,
      "--entrypoint",
      "sh",
      IMAGE,
      "-c",
      "head -c 2621440 /dev/zero > /workspace/old.bin",
    );
  });

  afterAll(async () => {
    await fake?.close();
    dockerMaybe("volume", "rm", "-f", volume);
    dockerMaybe("rmi", "-f", IMAGE);
  });

  const hooks: RunHooks = { started: () => {}, tool: () => {}, compacted: () => {}, gatewayTool: async () => ({ content: "" }) };
  const run = (quotaMb: string) => {
    const read = readContainerSettings({
      AGENT_CONTAINER_IMAGE: IMAGE,
      CONTAINER_WORKSPACE_QUOTA_MB: quotaMb,
      ANTHROPIC_API_KEY: KEY,
      ANTHROPIC_BASE_URL: fake.url,
    });
    if (!read.ok) throw new Error(read.error);
    const turn = testTurn(`run_${tag}_${quotaMb}`, channelId, testSpec("save the report", { maxTokens: 200, tools: [WRITE_FILE] }));
    return runInContainer({ turn, settings: read.settings, instance: tag, hooks, signal: new AbortController().signal, queuedMs: 0 });
  };

  it("refuses a run on a full workspace before any model call", async () => {
    const before = fake.requests.length;
    const result = await run("2");
    expect(result).toMatchObject({ outcome: "quota", steps: 0, workspace: { usedBytes: 2621440, quotaBytes: 2 * MB } });
    expect(fake.requests.length).toBe(before);
  });

  it("under the quota, refuses a write that would pass it and reports the size left", async () => {
    fake.enqueue({ kind: "tool_use", name: "write_file", input: { path: "report.txt", content: "x".repeat(800_000) } });
    const before = fake.requests.length;
    const result = await run("3");
    expect(result).toMatchObject({ outcome: "answered", workspace: { usedBytes: 2621440, quotaBytes: 3 * MB } });
    const second = fake.requests[before + 1]!.body as { messages: { content: unknown }[] };
    const toolResult = JSON.stringify(second.messages.at(-1)!.content);
    expect(toolResult).toContain('"is_error":true');
    expect(toolResult).toContain("the workspace quota is 3145728 bytes; this write would make it 3421440 bytes");
  });
});
