/**
 * The frame of an end-to-end file where a Telegram channel's agent runs in containers, with a
 * real Docker engine: the fake Telegram Bot API and `npm start` (platformGateway), the
 * agent-runner image built under the file's own tag, the fake Messages API, and on `connect` the
 * bridge as a process holding the model key, then the channel in container mode on it. The end
 * keeps the bridge's output under LOOPGATE_E2E_LOGS when set, stops the bridge and the model and
 * removes the channel's volumes. (A webhook channel with the bridge started up front:
 * container-gateway.ts.)
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { createTelegramFake } from "../../src/channels/telegram/fake-bot-api";
import { type FakeAnthropic, type FakeAnthropicOptions, startFakeAnthropic } from "../fakes/anthropic-messages";
import { type BridgeProcess, startBridge } from "./bridge-process";
import { buildImage, docker, prepareDocker } from "./docker";
import { setupAdmin, waitFor } from "./gateway-process";
import { type CreatedChannel, createChannelWithSetup, platformGateway } from "./platform-gateway";

export interface TelegramContainerOptions {
  port: number;
  /** The model key the bridge holds and the fake checks. */
  apiKey: string;
  /** The image tag, the file's own, so a parallel build elsewhere cannot swap the runner under it. */
  image: string;
  /** The Telegram bot token. */
  token: string;
  /** Names the bridge (`<name>-host`), the work folder and the bridge's log file. */
  name: string;
  /** The fake model's options besides its key. */
  model?: Omit<FakeAnthropicOptions, "apiKey">;
}

/** Registers the file's beforeAll/afterAll (call it in the describe); `model` is there once beforeAll has run. */
export function telegramContainer(o: TelegramContainerOptions) {
  const telegram = createTelegramFake({ token: o.token });
  const platform = platformGateway({
    port: o.port,
    fake: () => telegram.handle,
    env: () => ({ API_RATE_LIMIT_PER_MINUTE: "100000", DELIVERY_RETRY_BASE_MS: "100" }),
  });
  let model: FakeAnthropic | undefined;
  let bridge: BridgeProcess | undefined;
  let channelId = "";
  const work = mkdtempSync(join(tmpdir(), `loopgate-${o.name}-`));

  beforeAll(async () => {
    prepareDocker();
    buildImage(o.image, "bridge/agent-runner");
    model = await startFakeAnthropic({ apiKey: o.apiKey, ...o.model });
  }, 300_000);

  afterAll(async () => {
    if (process.env.LOOPGATE_E2E_LOGS && bridge) writeFileSync(`${process.env.LOOPGATE_E2E_LOGS}/${o.name}-bridge.log`, bridge.output());
    await bridge?.kill();
    await model?.close();
    const volumes = channelId ? docker("volume", "ls", "-q", "--filter", `label=loopgate.channel=${channelId}`).split("\n").filter(Boolean) : [];
    if (volumes.length) docker("volume", "rm", ...volumes);
  });

  const started = (): FakeAnthropic => {
    if (!model) throw new Error("the fake model starts in beforeAll");
    return model;
  };

  return {
    telegram,
    platform,
    get model() {
      return started();
    },
    /**
     * The admin, the bridge (connected) and an open Telegram channel whose agent runs in
     * containers on it; `agent` adds to the container settings (tools, server tools ...).
     */
    async connect(
      channelName: string,
      agent: Record<string, unknown>,
    ): Promise<{ api: Awaited<ReturnType<typeof setupAdmin>>["api"]; channel: CreatedChannel }> {
      const { api } = await setupAdmin(platform.gw);
      const created = await api<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: `${o.name}-host` });
      const bridgeId = created.body.bridge.id;
      bridge = startBridge({
        url: platform.gw.url,
        token: created.body.token,
        dataDir: join(work, "bridge-data"),
        heartbeatMs: 1000,
        env: { ANTHROPIC_API_KEY: o.apiKey, ANTHROPIC_BASE_URL: started().url, AGENT_CONTAINER_IMAGE: o.image, CONTAINER_TIMEOUT_MS: "60000" },
      });
      await waitFor(
        async () => (await api<{ bridge: { connected: boolean } }>("GET", `/api/bridges/${bridgeId}`)).body.bridge.connected,
        30_000,
        "bridge connected",
      );
      const channel = await createChannelWithSetup(api, {
        type: "telegram",
        name: channelName,
        policy: "open",
        config: { botToken: o.token, apiBase: platform.fakeUrl },
        agent: { container: true, containerBridgeId: bridgeId, ...agent },
      });
      channelId = channel.id;
      return { api, channel };
    },
  };
}
