/**
 * Matrix end to end: the gateway (`npm start`) and the bridge as processes, a fake homeserver
 * on 127.0.0.1 (test/support/matrix-homeserver.ts), and Alice as a real matrix-js-sdk client
 * with the Rust crypto, encrypting like Element. Covered: invitations accepted from allowed
 * users and declined from others; a room message without a mention ignored and a mention
 * answered in a thread on it; an encrypted direct message answered with a reply Alice
 * decrypts, a threaded one answered in its thread; the bridge SIGKILLed mid-conversation and
 * restarted with its keys from the data folder: the message sent meanwhile and the next one
 * are decrypted and answered once, nothing earlier is answered again.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientEvent, type MatrixClient, type MatrixEvent, MsgType, RelationType, SyncState, createClient } from "matrix-js-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MatrixHomeserver } from "../../../../test/support/matrix-homeserver";
import type { BridgeProcess } from "../../../../test/support/bridge-process";
import { type setupAdmin, waitFor } from "../../../../test/support/gateway-process";
import { type MatrixE2eParts, startMatrixE2e, stopMatrixE2e } from "../../../../test/support/matrix-e2e";

const PORT = 9700;
const HOMESERVER_PORT = 9701;
const BOT_TOKEN = "syt_bG9vcGJvdA_e2ebottoken0001";
const ALICE_TOKEN = "syt_YWxpY2U_e2ealicetoken0001";
const EVE_TOKEN = "syt_ZXZl_e2eevetoken0001";
const BOB_TOKEN = "syt_Ym9i_e2ebobtoken0001";
const ALICE_LAPTOP_TOKEN = "syt_YWxpY2U_e2ealicelaptop0001";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, getChild: () => quiet };

/** What Alice's client shows of the bot's messages: decrypted body and relation, by event id. */
interface Seen {
  body: string;
  encrypted: boolean;
  relatesTo?: Record<string, unknown>;
}

describe("Matrix through the bridge", () => {
  let hs: MatrixHomeserver;
  let bridge: BridgeProcess;
  let bridgeId: string;
  let api: Awaited<ReturnType<typeof setupAdmin>>["api"];
  let channelId: string;
  let alice: MatrixClient;
  let laptop: MatrixClient | undefined;
  let botId: string;
  let aliceId: string;
  let dmRoom: string;
  const fromBot = new Map<string, Seen>();
  const dataDir = mkdtempSync(join(tmpdir(), "loopgate-bridge-matrix-"));
  const parts: MatrixE2eParts = { logNames: { bridge: "bridge-matrix.log", gateway: "gateway.log" }, clients: [], dataDir };
  let runBridge: () => BridgeProcess;
  const channel = async () => (await api<{ channel: { status: string; lastError: string | null } }>("GET", `/api/channels/${channelId}`)).body.channel;
  const answersTo = (text: string) => [...fromBot.values()].filter((s) => s.body.includes(`You said: ${text}`));
  const answered = (text: string) => waitFor(async () => answersTo(text).length > 0, 60_000, `an answer to "${text}"`);
  const membership = (roomId: string, userId: string) => hs.rooms.get(roomId)?.state.get(`m.room.member|${userId}`)?.content.membership;
  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${hs.url}/_matrix/client/v3${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  const record = (event: MatrixEvent) => {
    if (event.getSender() !== botId || event.getType() !== "m.room.message" || event.isDecryptionFailure()) return;
    const content = event.getContent();
    if (typeof content.body !== "string") return;
    fromBot.set(event.getId() ?? "", {
      body: content.body,
      encrypted: event.isEncrypted(),
      relatesTo: (event.getWireContent()["m.relates_to"] ?? content["m.relates_to"]) as Record<string, unknown> | undefined,
    });
  };

  beforeAll(async () => {
    const e2e = await startMatrixE2e(
      {
        port: PORT,
        homeserverPort: HOMESERVER_PORT,
        botToken: BOT_TOKEN,
        aliceToken: ALICE_TOKEN,
        bridgeName: "matrix-host",
        otherUsers: [
          ["eve", "Eve", "EVEDEVICE", EVE_TOKEN],
          ["bob", "Bob", "BOBDEVICE", BOB_TOKEN],
        ],
        channelConfig: { cryptoStorePassphrase: "a long passphrase for the keys" },
        record,
      },
      parts,
    );
    ({ hs, api, alice, botId, aliceId, bridgeId, bridge, runBridge } = e2e);
    // Secrets are sealed: never shown by the API.
    expect(JSON.stringify(e2e.created.body)).not.toContain(BOT_TOKEN);
    expect(JSON.stringify(e2e.created.body)).not.toContain("a long passphrase");
    channelId = e2e.created.body.channel.id;
  });

  afterAll(() => stopMatrixE2e({ ...parts, clients: [...parts.clients, laptop] }));

  it("connects with the access token and publishes the bot device's keys", async () => {
    await waitFor(async () => (await channel()).status === "connected", 60_000, "matrix channel connected");
    expect(hs.calls.some((c) => c.path.endsWith("/keys/upload") && c.status === 200)).toBe(true);
    const keys = await call(ALICE_TOKEN, "POST", "/keys/query", { device_keys: { [botId]: [] } });
    expect(Object.keys((keys.body.device_keys as Record<string, Record<string, unknown>>)[botId] ?? {})).toEqual(["LOOPBOTDEVICE"]);
  });

  it("fails a channel whose access token the homeserver does not know, saying what to do", async () => {
    const { body } = await api<{ channel: { id: string } }>("POST", "/api/channels", {
      type: "matrix",
      name: "Matrix (stale token)",
      policy: "open",
      config: { bridgeId, homeserverUrl: hs.url, userId: botId, deviceId: "OLDDEVICE", accessToken: "syt_revoked_token_0000" },
    });
    const stale = async () => (await api<{ channel: { status: string; lastError: string | null } }>("GET", `/api/channels/${body.channel.id}`)).body.channel;
    await waitFor(async () => (await stale()).status === "failed", 30_000, "the stale-token channel failed");
    expect((await stale()).lastError).toMatch(/rejected the access token \(M_UNKNOWN_TOKEN\).*update accessToken/);
    expect(hs.calls).toContainEqual({ method: "GET", path: "/_matrix/client/v3/account/whoami", status: 401 });
    await api("DELETE", `/api/channels/${body.channel.id}`);
    expect((await channel()).status).toBe("connected");
  });

  it("declines an invitation from someone not allowed to invite it", async () => {
    const { body } = await call(EVE_TOKEN, "POST", "/createRoom", { invite: [botId], name: "Eve's room" });
    const roomId = String(body.room_id);
    await waitFor(async () => bridge.logs("matrix invitation declined").some((l) => l.roomId === roomId), 30_000, "the invitation declined");
    expect(membership(roomId, botId)).toBe("leave");
    expect(bridge.logs("matrix invitation declined")).toContainEqual(expect.objectContaining({ roomId, inviter: `@eve:${hs.serverName}` }));
  });

  it("in a room, ignores chatter and answers a mention in a thread on it", async () => {
    const { body } = await call(ALICE_TOKEN, "POST", "/createRoom", { invite: [botId, `@bob:${hs.serverName}`], name: "Team" });
    const roomId = String(body.room_id);
    await call(BOB_TOKEN, "POST", `/join/${encodeURIComponent(roomId)}`, {});
    await waitFor(async () => membership(roomId, botId) === "join", 30_000, "the bot joined the room");
    await waitFor(async () => alice.getRoom(roomId)?.getJoinedMemberCount() === 3, 30_000, "Alice sees three members");
    await alice.sendTextMessage(roomId, "just chatting with Bob");
    const mention = await alice.sendMessage(roomId, {
      msgtype: MsgType.Text,
      body: "Loopbot: what is in the room?",
      "m.mentions": { user_ids: [botId] },
    });
    await answered("what is in the room?");
    const reply = answersTo("what is in the room?")[0];
    expect(reply?.relatesTo).toMatchObject({ rel_type: "m.thread", event_id: mention.event_id });
    // The bot showed itself typing while the turn ran, and cleared it once the reply was sent.
    await waitFor(async () => hs.typing.some((t) => t.roomId === roomId && !t.typing), 10_000, "typing cleared after the reply");
    expect(hs.typing.filter((t) => t.roomId === roomId)).toEqual([
      { roomId, userId: botId, typing: true, timeout: 30_000 },
      { roomId, userId: botId, typing: false },
    ]);
    await sleep(1500);
    expect(answersTo("just chatting")).toHaveLength(0);
    expect(answersTo("what is in the room?")).toHaveLength(1);
  });

  it("answers an encrypted direct message with a reply only Alice's device can read", async () => {
    const { room_id } = await alice.createRoom({
      is_direct: true,
      invite: [botId],
      initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    });
    dmRoom = room_id;
    await waitFor(async () => membership(dmRoom, botId) === "join", 30_000, "the bot joined the DM");
    await waitFor(async () => alice.getRoom(dmRoom)?.getJoinedMemberCount() === 2, 30_000, "Alice sees the bot joined");
    await alice.sendTextMessage(dmRoom, "secret question one");
    await answered("secret question one");
    expect(answersTo("secret question one")).toEqual([expect.objectContaining({ encrypted: true })]);
    // The homeserver saw ciphertext only, both ways.
    const stored = hs.events(dmRoom).filter((e) => e.type.startsWith("m.room.message") || e.type === "m.room.encrypted");
    expect(stored.length).toBeGreaterThanOrEqual(2);
    expect(stored.every((e) => e.type === "m.room.encrypted")).toBe(true);
    expect(JSON.stringify(stored)).not.toContain("secret question");
  });

  it("answers a threaded encrypted message in its thread", async () => {
    const root = await alice.sendTextMessage(dmRoom, "secret thread root");
    await answered("secret thread root");
    // As Element sends it: the SDK adds the m.thread relation for the thread id.
    await alice.sendMessage(dmRoom, root.event_id, { msgtype: MsgType.Text, body: "secret in the thread" });
    const sent = hs.events(dmRoom).at(-1);
    expect(sent?.content["m.relates_to"]).toMatchObject({ rel_type: "m.thread", event_id: root.event_id });
    await answered("secret in the thread");
    expect(answersTo("secret in the thread")[0]?.relatesTo).toMatchObject({ rel_type: RelationType.Thread, event_id: root.event_id });
  });

  it("keeps its keys across a SIGKILL: the message sent meanwhile and the next one are answered once", async () => {
    expect(existsSync(join(dataDir, "channels", channelId, "matrix-crypto.v8"))).toBe(true);
    const before = fromBot.size;
    await bridge.kill();
    // Sent while the bridge is down, with the Megolm session the bot got before it went.
    await alice.sendTextMessage(dmRoom, "secret question two");
    bridge = runBridge();
    await answered("secret question two");
    await alice.sendTextMessage(dmRoom, "secret question three");
    await answered("secret question three");
    await sleep(3000);
    for (const t of [
      "secret question one",
      "secret question two",
      "secret question three",
      "secret thread root",
      "secret in the thread",
      "what is in the room?",
    ])
      expect(answersTo(t), t).toHaveLength(1);
    expect(fromBot.size).toBe(before + 2);
    expect(bridge.logs("matrix message not decrypted (yet)")).toEqual([]);
    // The same device, the same keys: nothing re-uploaded that the homeserver refused.
    expect(hs.calls.filter((c) => c.path.endsWith("/keys/upload") && c.status !== 200)).toEqual([]);
  });

  it("once Alice has a cross-signing identity, refuses her device she did not sign and answers her signed one", async () => {
    // As Element does at sign-up: Alice's identity, signing her phone.
    await alice
      .getCrypto()
      ?.bootstrapCrossSigning({ setupNewCrossSigning: true, authUploadDeviceSigningKeys: async (makeRequest) => void (await makeRequest({})) });
    expect(hs.calls).toContainEqual(expect.objectContaining({ path: "/_matrix/client/v3/keys/signatures/upload", status: 200 }));
    // A device on Alice's account nobody signed: what a homeserver adding one behind her back looks like.
    hs.addUser("alice", "Alice", "ALICELAPTOP", ALICE_LAPTOP_TOKEN);
    laptop = createClient({ baseUrl: hs.url, userId: aliceId, deviceId: "ALICELAPTOP", accessToken: ALICE_LAPTOP_TOKEN, logger: quiet });
    await laptop.initRustCrypto({ useIndexedDB: false });
    const synced = new Promise<void>((resolve) => laptop?.on(ClientEvent.Sync, (state) => state === SyncState.Prepared && resolve()));
    await laptop.startClient({ initialSyncLimit: 5 });
    await synced;
    const unsigned = await laptop.sendTextMessage(dmRoom, "secret from an unsigned device");
    await waitFor(
      async () => bridge.logs("matrix message refused").some((l) => l.eventId === unsigned.event_id),
      30_000,
      "the unsigned device's message refused",
    );
    expect(bridge.logs("matrix message refused").find((l) => l.eventId === unsigned.event_id)).toMatchObject({
      reason: expect.stringContaining("not signed by its owner"),
    });
    await alice.sendTextMessage(dmRoom, "secret from the signed phone");
    await answered("secret from the signed phone");
    expect(answersTo("secret from an unsigned device")).toHaveLength(0);
  });
});
