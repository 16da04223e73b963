/**
 * The start and the end of a Matrix end-to-end file (bridge/src/channels/matrix/*.e2e.test.ts).
 * The start: homeserver, Alice's crypto client, gateway, bridge and channel (startMatrixE2e), and
 * an encrypted direct message with the bot (openEncryptedDm). The end: the processes'
 * output kept for a failed run, the people's Matrix clients stopped, then the bridge, the
 * gateway, the fake homeserver and the fake model, and the gateway's state and the bridge's data
 * folder removed. Every part may be missing (a file whose setup failed half-way).
 */
import { rmSync } from "node:fs";
import { ClientEvent, type MatrixClient, type MatrixEvent, MatrixEventEvent, RoomEvent, SyncState, createClient } from "matrix-js-sdk";
import { expect } from "vitest";
import { type BridgeProcess, startBridge } from "./bridge-process";
import { keepLogs } from "./e2e-logs";
import { type GatewayProcess, removeState, setupAdmin, startGateway, waitFor } from "./gateway-process";
import { type MatrixHomeserver, startMatrixHomeserver } from "./matrix-homeserver";

export interface MatrixE2eParts {
  /** Log file name for each process's output: `{ "bridge-matrix.log": ..., "gateway.log": ... }`. */
  logNames: { bridge: string; gateway: string };
  clients: (MatrixClient | undefined)[];
  bridge?: BridgeProcess;
  gw?: GatewayProcess;
  hs?: MatrixHomeserver;
  model?: { close(): Promise<void> };
  dataDir: string;
}

export async function stopMatrixE2e(p: MatrixE2eParts): Promise<void> {
  keepLogs({ [p.logNames.bridge]: p.bridge?.output(), [p.logNames.gateway]: p.gw?.output() });
  for (const client of p.clients) client?.stopClient();
  await p.bridge?.stop();
  await p.gw?.stop();
  await p.hs?.close();
  await p.model?.close();
  if (p.gw) removeState(p.gw.stateDir);
  rmSync(p.dataDir, { recursive: true, force: true });
}

/** What differs between the Matrix end-to-end files' starts. */
export interface MatrixE2eSetup {
  port: number;
  homeserverPort: number;
  botToken: string;
  aliceToken: string;
  /** The bridge's name in the gateway. */
  bridgeName: string;
  /** The fake model the gateway calls; without one the gateway answers with its echo. */
  model?: { url: string; apiKey: string };
  /** People besides the bot and Alice: [localpart, display name, device id, access token]. */
  otherUsers?: [string, string, string, string][];
  /** More of the Matrix channel's config (a crypto store passphrase, say). */
  channelConfig?: Record<string, unknown>;
  /** Sees each event of Alice's timeline, and each again once decrypted. */
  record(event: MatrixEvent): void;
}

export interface MatrixE2e {
  hs: MatrixHomeserver;
  gw: GatewayProcess;
  api: AdminApi;
  alice: MatrixClient;
  botId: string;
  aliceId: string;
  bridgeId: string;
  bridge: BridgeProcess;
  /** The gateway's answer to creating the channel. */
  created: { status: number; body: { channel: { id: string } } };
  /** Starts the bridge again (after a kill), kept in the parts for the teardown. */
  runBridge(): BridgeProcess;
}

type AdminApi = Awaited<ReturnType<typeof setupAdmin>>["api"];
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, getChild: () => quiet };

/**
 * The start every Matrix end-to-end file shares: the fake homeserver with the bot and Alice,
 * Alice's client with the Rust crypto synced once, the gateway with an admin, a bridge and the
 * Matrix channel on it, and the bridge process. Each part goes into `parts` as soon as it runs,
 * so `stopMatrixE2e(parts)` stops what a failed start left behind.
 */
export async function startMatrixE2e(setup: MatrixE2eSetup, parts: MatrixE2eParts): Promise<MatrixE2e> {
  const hs = await startMatrixHomeserver(setup.homeserverPort);
  parts.hs = hs;
  const botId = hs.addUser("loopbot", "Loopbot", "LOOPBOTDEVICE", setup.botToken);
  const aliceId = hs.addUser("alice", "Alice", "ALICEPHONE", setup.aliceToken);
  for (const [name, display, device, token] of setup.otherUsers ?? []) hs.addUser(name, display, device, token);
  const alice = createClient({ baseUrl: hs.url, userId: aliceId, deviceId: "ALICEPHONE", accessToken: setup.aliceToken, logger: quiet });
  parts.clients.push(alice);
  await alice.initRustCrypto({ useIndexedDB: false });
  alice.on(RoomEvent.Timeline, (event) => setup.record(event));
  alice.on(MatrixEventEvent.Decrypted, (event) => setup.record(event));
  const synced = new Promise<void>((resolve) => alice.on(ClientEvent.Sync, (state) => state === SyncState.Prepared && resolve()));
  await alice.startClient({ initialSyncLimit: 20 });
  await synced;

  const modelEnv: Record<string, string> = setup.model
    ? { ANTHROPIC_API_KEY: setup.model.apiKey, ANTHROPIC_BASE_URL: setup.model.url, AGENT_RETRY_BASE_MS: "50" }
    : {};
  const gw = await startGateway({ port: setup.port, env: { API_RATE_LIMIT_PER_MINUTE: "100000", ...modelEnv } });
  parts.gw = gw;
  const { api } = await setupAdmin(gw);
  const bridgeRes = await api<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: setup.bridgeName });
  const bridgeId = bridgeRes.body.bridge.id;
  const created = await api<{ channel: { id: string } }>("POST", "/api/channels", {
    type: "matrix",
    name: "Matrix",
    policy: "open",
    config: {
      bridgeId,
      homeserverUrl: hs.url,
      userId: botId,
      deviceId: "LOOPBOTDEVICE",
      accessToken: setup.botToken,
      ...setup.channelConfig,
      inviters: [aliceId],
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const runBridge = () => {
    parts.bridge = startBridge({ url: gw.url, token: bridgeRes.body.token, dataDir: parts.dataDir });
    return parts.bridge;
  };
  return { hs, gw, api, alice, botId, aliceId, bridgeId, bridge: runBridge(), created, runBridge };
}

/** Once the channel is connected, Alice opens an encrypted direct message with the bot; resolves with its room id once both see the bot in it. */
export async function openEncryptedDm(e2e: MatrixE2e): Promise<string> {
  const { api, alice, hs, botId } = e2e;
  const channelStatus = async () => (await api<{ channel: { status: string } }>("GET", `/api/channels/${e2e.created.body.channel.id}`)).body.channel.status;
  await waitFor(async () => (await channelStatus()) === "connected", 60_000, "matrix channel connected");
  const { room_id } = await alice.createRoom({
    is_direct: true,
    invite: [botId],
    initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
  });
  const joined = () => hs.rooms.get(room_id)?.state.get(`m.room.member|${botId}`)?.content.membership === "join";
  await waitFor(async () => joined(), 30_000, "the bot joined the DM");
  await waitFor(async () => alice.getRoom(room_id)?.getJoinedMemberCount() === 2, 30_000, "Alice sees the bot joined");
  return room_id;
}
