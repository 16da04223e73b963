/**
 * Nostr end to end: the gateway (`npm start`) and the bridge as processes, and three minimal
 * NIP-01 relays on 127.0.0.1 (test/support/nostr-relay.ts). The bot reads relays A and B;
 * Alice's kind-10050 list names relay C, where NIP-17 replies must go. Covered: NIP-17 and NIP-04
 * conversations, the same event from two relays answered once, a forged event pushed by a relay
 * dropped, a bridge killed mid-conversation catching up on back-dated gift wraps without losing
 * or doubling a message, and a relay restart.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as nip04 from "nostr-tools/nip04";
import { unwrapEvent, wrapEvent } from "nostr-tools/nip17";
import { finalizeEvent, generateSecretKey, getPublicKey, type NostrEvent } from "nostr-tools/pure";
import { bytesToHex } from "nostr-tools/utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NostrTestRelay, startNostrRelay } from "../../../../test/support/nostr-relay";
import { type BridgeProcess, startBridge } from "../../../../test/support/bridge-process";
import { type GatewayProcess, removeState, setupAdmin, startGateway, waitFor } from "../../../../test/support/gateway-process";
import { keepLogs } from "../../../../test/support/e2e-logs";

const PORT = 9550;
const bot = generateSecretKey();
const botPub = getPublicKey(bot);
const alice = generateSecretKey();
const alicePub = getPublicKey(alice);
const now = () => Math.floor(Date.now() / 1000);

describe("Nostr through the bridge", () => {
  let gw: GatewayProcess;
  let relayA: NostrTestRelay;
  let relayB: NostrTestRelay;
  let relayC: NostrTestRelay;
  let bridge: BridgeProcess;
  let bridgeToken: string;
  let api: Awaited<ReturnType<typeof setupAdmin>>["api"];
  let channelId: string;
  const dataDir = mkdtempSync(join(tmpdir(), "loopgate-bridge-nostr-"));
  const channel = async () => (await api<{ channel: { status: string; lastError: string | null } }>("GET", `/api/channels/${channelId}`)).body.channel;
  const runBridge = () => startBridge({ url: gw.url, token: bridgeToken, dataDir });

  /** Every reply Alice can read, per relay, deduplicated by event id: [protocol, text]. */
  const repliesOn = (relay: NostrTestRelay) => {
    const out: { protocol: string; text: string; id: string }[] = [];
    for (const e of relay.events) {
      if (e.kind === 1059 && e.tags.some((t) => t[0] === "p" && t[1] === alicePub)) {
        const rumor = unwrapEvent(e, alice);
        if (rumor.pubkey === botPub) out.push({ protocol: "nip17", text: rumor.content, id: e.id });
      } else if (e.kind === 4 && e.pubkey === botPub) out.push({ protocol: "nip04", text: nip04.decrypt(alice, botPub, e.content), id: e.id });
    }
    return out;
  };
  const allReplies = () => {
    const seen = new Map<string, { protocol: string; text: string }>();
    for (const r of [relayA, relayB, relayC]) for (const x of repliesOn(r)) seen.set(x.id, x);
    return [...seen.values()];
  };
  const answersTo = (text: string) => allReplies().filter((r) => r.text.includes(`You said: ${text}`));
  const publish = (relay: NostrTestRelay, event: NostrEvent) =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(relay.url);
      ws.onopen = () => ws.send(JSON.stringify(["EVENT", event]));
      ws.onmessage = (m) => {
        const [type, , ok, reason] = JSON.parse(String(m.data)) as [string, string, boolean, string];
        if (type !== "OK") return;
        ws.close();
        if (ok) resolve();
        else reject(new Error(reason));
      };
      ws.onerror = () => reject(new Error(`cannot reach ${relay.url}`));
    });
  /** One more NIP-17 message from Alice, answered: everything before it is settled (see test/support/after-control.ts). */
  const settled = async () => {
    const text = `control ${crypto.randomUUID().slice(0, 8)}`;
    await publish(relayA, wrapEvent(alice, { publicKey: botPub }, text));
    await waitFor(async () => answersTo(text).length >= 1, 30_000, "the control reply");
  };
  const legacyDm = (text: string) => finalizeEvent({ kind: 4, created_at: now(), tags: [["p", botPub]], content: nip04.encrypt(alice, botPub, text) }, alice);

  beforeAll(async () => {
    [relayA, relayB, relayC] = await Promise.all([startNostrRelay(9551), startNostrRelay(9552), startNostrRelay(9553)]);
    // Alice receives private messages on relay C only (NIP-17 kind 10050), announced on A.
    await publish(relayA, finalizeEvent({ kind: 10050, created_at: now(), tags: [["relay", relayC.url]], content: "" }, alice));
    gw = await startGateway({ port: PORT, env: { API_RATE_LIMIT_PER_MINUTE: "100000" } });
    api = (await setupAdmin(gw)).api;
    const created = await api<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: "relays" });
    bridgeToken = created.body.token;
    const ch = await api<{ channel: { id: string } }>("POST", "/api/channels", {
      type: "nostr",
      name: "Nostr",
      policy: "open",
      // One person writes every message here, control messages included: above the default 10 a minute.
      rateLimitPerMinute: 60,
      config: { bridgeId: created.body.bridge.id, secretKey: bytesToHex(bot), relays: [relayA.url, relayB.url] },
    });
    expect(ch.status).toBe(201);
    // The bot's key is a secret: never shown by the API.
    expect(JSON.stringify(ch.body)).not.toContain(bytesToHex(bot));
    channelId = ch.body.channel.id;
    bridge = runBridge();
  });

  afterAll(async () => {
    keepLogs({ "bridge-nostr.log": bridge?.output(), "gateway.log": gw?.output() });
    await bridge?.stop();
    await gw?.stop();
    await Promise.all([relayA?.close(), relayB?.close(), relayC?.close()]);
    if (gw) removeState(gw.stateDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("connects to both relays, subscribes to messages for its key, and publishes its kind-10050 relay list", async () => {
    await waitFor(async () => (await channel()).status === "connected" && relayA.open() > 0 && relayB.open() > 0, 40_000, "nostr channel connected");
    expect(relayA.reqs.flat()).toContainEqual(expect.objectContaining({ kinds: [1059], "#p": [botPub] }));
    expect(relayA.reqs.flat()).toContainEqual(expect.objectContaining({ kinds: [4], "#p": [botPub] }));
    await waitFor(async () => relayB.events.some((e) => e.kind === 10050 && e.pubkey === botPub), 10_000, "the bot's relay list");
    const list = relayB.events.find((e) => e.kind === 10050 && e.pubkey === botPub);
    expect(list?.tags).toEqual([
      ["relay", relayA.url],
      ["relay", relayB.url],
    ]);
  });

  it("answers a NIP-17 message once, though it arrives from two relays, on Alice's kind-10050 relay", async () => {
    const wrap = wrapEvent(alice, { publicKey: botPub }, "first private question");
    await publish(relayA, wrap);
    await publish(relayB, wrap);
    await waitFor(async () => answersTo("first private question").length >= 1, 30_000, "the NIP-17 reply");
    await settled();
    expect(answersTo("first private question")).toEqual([expect.objectContaining({ protocol: "nip17" })]);
    expect(repliesOn(relayC)).toHaveLength(2); // the answer and the control's answer
    expect(repliesOn(relayA)).toHaveLength(0);
    expect(repliesOn(relayB)).toHaveLength(0);
  });

  it("answers a NIP-04 message in NIP-04 on the configured relays", async () => {
    await publish(relayB, legacyDm("an old client asks"));
    await waitFor(async () => answersTo("an old client asks").length >= 1, 30_000, "the NIP-04 reply");
    expect(answersTo("an old client asks")).toEqual([expect.objectContaining({ protocol: "nip04" })]);
    expect(repliesOn(relayA).filter((r) => r.protocol === "nip04")).toHaveLength(1);
  });

  it("drops and logs a forged event a relay pushes without checking it", async () => {
    const genuine = legacyDm("genuine words");
    const forged = { ...genuine, content: nip04.encrypt(alice, botPub, "forged words") };
    relayA.push(forged);
    await waitFor(async () => bridge.logs("nostr event dropped").some((l) => l.id === forged.id), 15_000, "the forged event logged");
    expect(bridge.logs("nostr event dropped").find((l) => l.id === forged.id)).toMatchObject({ reason: expect.stringContaining("forged") });
    // The forged copy did not mark the genuine event's id as seen: the genuine one is still answered.
    await publish(relayA, genuine);
    await waitFor(async () => answersTo("genuine words").length >= 1, 30_000, "the genuine event answered");
    expect(answersTo("forged words")).toHaveLength(0);
  });

  it("catches up after the bridge is killed mid-conversation: nothing lost, nothing answered twice", async () => {
    const before = allReplies().length;
    await bridge.kill();
    const whileDown = ["while down one", "while down two"];
    // Gift wraps are back-dated up to two days (NIP-59's randomNow), so a plain `since` would miss them.
    const wraps = whileDown.map((t) => wrapEvent(alice, { publicKey: botPub }, t));
    for (const w of wraps) await publish(relayA, w);
    await publish(relayB, legacyDm("legacy while down"));
    const reqsBefore = relayA.reqs.length;
    bridge = runBridge();
    await waitFor(async () => [...whileDown, "legacy while down"].every((t) => answersTo(t).length >= 1), 60_000, "the missed messages answered");
    await settled();
    for (const t of [...whileDown, "legacy while down", "first private question", "an old client asks", "genuine words"])
      expect(answersTo(t), t).toHaveLength(1);
    expect(allReplies()).toHaveLength(before + 4); // the three missed, and the control
    // It asked from its cursor, not from the beginning: two days and the clock margin before the newest wrap it handled.
    const resumed = relayA.reqs
      .slice(reqsBefore)
      .flat()
      .find((f) => f.kinds?.includes(1059));
    expect(resumed?.since).toBeGreaterThan(now() - 2 * 24 * 3600 - 20 * 60 - 60);
    expect(resumed?.since).toBeLessThan(Math.min(...wraps.map((w) => w.created_at)) + 1);
  });

  it("reconnects to a relay that restarts and keeps answering through it", async () => {
    const connectionsBefore = relayA.connections();
    const forA = (msg: string) => bridge.logs(msg).filter((l) => l.relay === relayA.url).length;
    const connectedToA = forA("nostr relay connected");
    await relayA.stop();
    await waitFor(async () => forA("nostr relay disconnected") > 0, 20_000, "relay A reported down");
    // Relay B still serves the channel.
    expect((await channel()).status).toBe("connected");
    await relayA.start();
    await waitFor(async () => relayA.connections() > connectionsBefore && forA("nostr relay connected") > connectedToA, 30_000, "reconnected to relay A");
    await publish(relayA, wrapEvent(alice, { publicKey: botPub }, "after the relay restart"));
    await waitFor(async () => answersTo("after the relay restart").length >= 1, 30_000, "reply after the relay restart");
    await settled();
    expect(answersTo("after the relay restart")).toHaveLength(1);
  });
});
