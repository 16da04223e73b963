/**
 * A gateway whose agent runs in containers, for end-to-end tests with a real Docker engine:
 * the agent-runner image built under the test's own tag, the fake Messages API, `npm start`
 * (no model key), a webhook channel on allowlist (its one sender paired) whose replies go to a
 * receiver, and the bridge as a process holding the model key. `stop()` writes both processes'
 * output to LOOPGATE_E2E_LOGS when set, stops everything and removes the channel's volumes.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { startFakeAnthropic } from "../fakes/anthropic-messages";
import { startBridge } from "./bridge-process";
import { buildImage, docker, prepareDocker } from "./docker";
import { removeState, setupAdmin, startGateway, waitFor } from "./gateway-process";
import { startReceiver } from "./http-receiver";
import { keepLogs } from "./e2e-logs";

export interface ContainerGatewayOptions {
  port: number;
  /** The model key the bridge holds and the fake checks. */
  apiKey: string;
  /** The image tag, the test's own, so a parallel build elsewhere cannot swap the runner under it. */
  image: string;
  /** Names the bridge, the channel and the log files. */
  name: string;
  sender: string;
  gatewayEnv?: Record<string, string>;
  /** The channel's `agent` settings besides container mode. */
  agent?: Record<string, unknown>;
  /** Runs after the admin exists and before the channel is created (e.g. registering an MCP server). */
  beforeChannel?: (api: Awaited<ReturnType<typeof setupAdmin>>["api"]) => Promise<void>;
}

export async function startContainerGateway(o: ContainerGatewayOptions) {
  prepareDocker();
  buildImage(o.image, "bridge/agent-runner");
  const fake = await startFakeAnthropic({ apiKey: o.apiKey });
  const receiver = await startReceiver();
  const gw = await startGateway({ port: o.port, env: { API_RATE_LIMIT_PER_MINUTE: "100000", DELIVERY_RETRY_BASE_MS: "100", ...o.gatewayEnv } });
  const { api } = await setupAdmin(gw);
  await o.beforeChannel?.(api);
  const created = await api<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: `${o.name}-host` });
  const bridgeId = created.body.bridge.id;
  const ch = await api<{ channel: { id: string; inboundUrl: string }; generatedSecrets: { secret: string } }>("POST", "/api/channels", {
    type: "webhook",
    name: o.name,
    // Allowlisted senders are paired: the tools and servers the channel gives, by the tier's default.
    policy: "allowlist",
    allowlist: [o.sender],
    rateLimitPerMinute: 1000,
    config: { callbackUrl: `${receiver.url}/replies` },
    agent: { container: true, containerBridgeId: bridgeId, ...o.agent },
  });
  expect(ch.status, JSON.stringify(ch.body)).toBe(201);
  const channelId = ch.body.channel.id;
  const bridgeData = join(mkdtempSync(join(tmpdir(), `loopgate-${o.name}-`)), "bridge-data");
  const bridge = startBridge({
    url: gw.url,
    token: created.body.token,
    dataDir: bridgeData,
    heartbeatMs: 1000,
    env: { ANTHROPIC_API_KEY: o.apiKey, ANTHROPIC_BASE_URL: fake.url, CONTAINER_TIMEOUT_MS: "60000", AGENT_CONTAINER_IMAGE: o.image },
  });
  await waitFor(async () => (await api<{ bridge: { connected: boolean } }>("GET", `/api/bridges/${bridgeId}`)).body.bridge.connected, 30_000, "bridge up");

  return {
    fake,
    gw,
    api,
    bridge,
    bridgeData,
    channelId,
    inboundUrl: ch.body.channel.inboundUrl,
    secret: ch.body.generatedSecrets.secret,
    /** The texts the sender was sent, in order. */
    replies: () =>
      receiver.received
        .map((r) => JSON.parse(r.body) as { recipient: string; text: string })
        .filter((r) => r.recipient === o.sender)
        .map((r) => r.text),
    async stop() {
      keepLogs({ [`${o.name}-bridge.log`]: bridge.output(), [`${o.name}-gateway.log`]: gw.output() });
      await bridge.kill();
      await gw.stop();
      await fake.close();
      await receiver.close();
      removeState(gw.stateDir);
      const volumes = docker("volume", "ls", "-q", "--filter", `label=loopgate.channel=${channelId}`).split("\n").filter(Boolean);
      if (volumes.length) docker("volume", "rm", ...volumes);
    },
  };
}

export type ContainerGateway = Awaited<ReturnType<typeof startContainerGateway>>;
