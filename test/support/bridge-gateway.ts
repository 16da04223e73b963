/**
 * The frame of a bridge-served channel's end-to-end file (the e2e files under bridge/src): `npm start`
 * on the file's port, an admin, a bridge and the file's channels on it, and the bridge as a
 * process; at the end the processes' output kept for a failed run, the bridge, the gateway and
 * the file's fakes stopped, the gateway's state and the bridge's data folder removed. Each part
 * goes into `parts` as soon as it runs, so `stopBridgeGateway(parts)` stops what a failed start
 * left behind. (Matrix's files have their own: matrix-e2e.ts.)
 */
import { rmSync } from "node:fs";
import { expect } from "vitest";
import { type BridgeProcess, startBridge } from "./bridge-process";
import { keepLogs } from "./e2e-logs";
import { type GatewayProcess, removeState, setupAdmin, startGateway } from "./gateway-process";

export interface BridgeGatewayParts {
  dataDir: string;
  /** Log file names for the bridge's and the gateway's output under LOOPGATE_E2E_LOGS; none: not kept. */
  logNames?: { bridge: string; gateway: string };
  /** The file's fakes, closed after the gateway stops (any may be missing). */
  fakes: ({ close(): Promise<void> } | undefined)[];
  gw?: GatewayProcess;
  bridge?: BridgeProcess;
}

export interface BridgeGatewaySetup {
  port: number;
  env: Record<string, string>;
  /** The bridge's name in the gateway. */
  bridgeName: string;
  /** The POST /api/channels bodies of the channels the bridge serves. */
  channels(bridgeId: string): Record<string, unknown>[];
}

type AdminApi = Awaited<ReturnType<typeof setupAdmin>>["api"];

export interface BridgeGateway {
  gw: GatewayProcess;
  api: AdminApi;
  bridgeId: string;
  /** The gateway's answers to creating the channels, in order. */
  channels: { channel: { id: string } }[];
  bridge: BridgeProcess;
  /** Starts the bridge again (after a kill), kept in the parts for the end. */
  runBridge(): BridgeProcess;
}

export async function startBridgeGateway(setup: BridgeGatewaySetup, parts: BridgeGatewayParts): Promise<BridgeGateway> {
  const gw = await startGateway({ port: setup.port, env: setup.env });
  parts.gw = gw;
  const { api } = await setupAdmin(gw);
  const created = await api<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: setup.bridgeName });
  const bridgeId = created.body.bridge.id;
  const channels: { channel: { id: string } }[] = [];
  for (const body of setup.channels(bridgeId)) {
    const ch = await api<{ channel: { id: string } }>("POST", "/api/channels", body);
    expect(ch.status, JSON.stringify(ch.body)).toBe(201);
    channels.push(ch.body);
  }
  const runBridge = () => {
    parts.bridge = startBridge({ url: gw.url, token: created.body.token, dataDir: parts.dataDir });
    return parts.bridge;
  };
  return { gw, api, bridgeId, channels, bridge: runBridge(), runBridge };
}

export async function stopBridgeGateway(parts: BridgeGatewayParts): Promise<void> {
  if (parts.logNames) keepLogs({ [parts.logNames.bridge]: parts.bridge?.output(), [parts.logNames.gateway]: parts.gw?.output() });
  await parts.bridge?.stop();
  await parts.gw?.stop();
  await Promise.all(parts.fakes.map((fake) => fake?.close()));
  if (parts.gw) removeState(parts.gw.stateDir);
  rmSync(parts.dataDir, { recursive: true, force: true });
}

/** An open Telegram long-polling channel on the bridge, polling the fake Bot API at `apiBase` with a short timeout. */
export function telegramPollingChannel(bridgeId: string, botToken: string, apiBase: string): Record<string, unknown> {
  return { type: "telegram-polling", name: "Telegram (polling)", policy: "open", config: { bridgeId, botToken, apiBase, pollTimeoutSeconds: 2 } };
}
