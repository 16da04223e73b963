/**
 * The bridge link end to end: the gateway (`npm start`) and the bridge run as real processes,
 * a Signal channel runs on the bridge against a fake signal-cli daemon, and the echo model
 * answers. The bridge is SIGKILLed mid-stream and restarted, the gateway drops the connection,
 * and every message must still arrive exactly once in each direction.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeSignalCli } from "../../bridge/src/channels/signal/fake-signal-cli";
import { settleWithControl } from "../support/after-control";
import { startBridge, type BridgeProcess } from "../support/bridge-process";
import { apiClient, type GatewayProcess, setupAdmin, startGateway, waitFor } from "../support/gateway-process";
import { keepLogs } from "../support/e2e-logs";

const PORT = 8820;
const ACCOUNT = "+15550000001";
const SENDERS = ["+15550001001", "+15550001002", "+15550001003"];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Api = ReturnType<typeof apiClient>;

describe("bridge link", () => {
  let gw: GatewayProcess;
  let api: Api;
  let signal: Awaited<ReturnType<typeof startFakeSignalCli>>;
  let bridgeId: string;
  let token: string;
  let channelId: string;
  const dataDir = mkdtempSync(join(tmpdir(), "loopgate-bridge-"));
  const bridges: BridgeProcess[] = [];
  const runBridge = () => {
    const b = startBridge({ url: gw.url, token, dataDir, heartbeatMs: 500 });
    bridges.push(b);
    return b;
  };
  const channel = async () => (await api<{ channel: { status: string; lastError: string | null } }>("GET", `/api/channels/${channelId}`)).body.channel;
  const bridgeRow = async () =>
    (await api<{ bridge: { status: string; connected: boolean; queuedReplies: number } }>("GET", `/api/bridges/${bridgeId}`)).body.bridge;

  beforeAll(async () => {
    signal = await startFakeSignalCli(ACCOUNT);
    // The test polls the admin API often; the per-IP API limit is for people, not for this.
    gw = await startGateway({ port: PORT, env: { API_RATE_LIMIT_PER_MINUTE: "100000" } });
    api = (await setupAdmin(gw)).api;
    const created = await api<{ bridge: { id: string; status: string }; token: string }>("POST", "/api/bridges", { name: "vps-1" });
    expect(created.status).toBe(201);
    expect(created.body.bridge.status).toBe("never");
    ({ token } = created.body);
    bridgeId = created.body.bridge.id;
    const ch = await api<{ channel: { id: string } }>("POST", "/api/channels", {
      type: "signal",
      name: "Signal",
      policy: "open",
      rateLimitPerMinute: 1000,
      config: { bridgeId, account: ACCOUNT, daemon: signal.address },
    });
    expect(ch.status).toBe(201);
    channelId = ch.body.channel.id;
  });

  afterAll(async () => {
    keepLogs({ ...Object.fromEntries(bridges.map((b, i) => [`bridge-${i}.log`, b.output()])), "gateway.log": gw.output() });
    for (const b of bridges) await b.kill();
    await gw?.stop();
    await signal?.close();
  });

  it("refuses a bridge connection without a valid token", async () => {
    const none = await fetch(`${gw.url}/bridge/connect`);
    expect(none.status).toBe(401);
    const wrong = await fetch(`${gw.url}/bridge/connect`, { headers: { authorization: "Bearer lgb_not-a-real-token" } });
    expect(wrong.status).toBe(401);
    const listed = await api<{ bridges: Record<string, unknown>[] }>("GET", "/api/bridges");
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect(listed.body.bridges[0]).not.toHaveProperty("tokenHash");
  });

  it("delivers every message exactly once both ways across a bridge kill, a restart and a dropped connection", async () => {
    let bridge = runBridge();
    await waitFor(async () => (await channel()).status === "connected", 30_000, "signal channel connected");
    expect((await bridgeRow()).status).toBe("up");

    const total = 30;
    for (let i = 0; i < total; i++) {
      signal.deliver({ from: SENDERS[i % SENDERS.length]!, name: `user ${i % 3}`, text: `message ${i}` });
      await sleep(80);
      if (i === 9) {
        // Mid-stream: message 9 is on the bridge's disk, on its way to the gateway, its reply not yet back.
        // (Replies 0-8 are out first: a reply the platform took in the instant before a SIGKILL, before the bridge
        // could write it down, is the one duplicate no bridge can rule out; see docs/bridge.md.)
        await waitFor(async () => bridge.logs("inbound persisted").length >= 10 && signal.sent.length >= 9, 20_000, "ten messages persisted");
        await bridge.kill();
        // signal-cli pushes only to a live client; let the fake notice the dead one first.
        await waitFor(async () => signal.connected === 0, 5000, "signal-cli client gone");
      }
      if (i === 14) bridge = runBridge();
      if (i === 22) {
        const kicked = await api<{ wasConnected: boolean }>("POST", `/api/bridges/${bridgeId}/disconnect`);
        expect(kicked.status).toBe(200);
      }
    }

    await waitFor(async () => signal.sent.length >= total, 60_000, `${total} replies (got ${signal.sent.length})`);
    await waitFor(async () => (await bridgeRow()).queuedReplies === 0, 10_000, "reply queue drained");
    // One more message from each sender, answered: every earlier one is settled, so a late duplicate would be here.
    for (const from of SENDERS)
      await settleWithControl(
        async (text) => signal.deliver({ from, text }),
        signal.sent,
        (s) => s.message,
      );
    expect(signal.sent).toHaveLength(total);
    for (let i = 0; i < total; i++) {
      const replies = signal.sent.filter((s) => s.message.endsWith(`You said: message ${i}`));
      expect(replies, `replies to message ${i}`).toHaveLength(1);
      expect(replies[0]!.recipient).toEqual([SENDERS[i % SENDERS.length]]);
      expect(replies[0]!.quoteAuthor).toBe(SENDERS[i % SENDERS.length]);
    }

    const inbound = await api<{ messages: { direction: string; text: string; channelId: string }[] }>("GET", `/api/messages?channelId=${channelId}&limit=500`);
    const texts = inbound.body.messages.filter((m) => m.direction === "in" && !m.text.startsWith("control ")).map((m) => m.text);
    expect(texts.sort()).toEqual(Array.from({ length: total }, (_, i) => `message ${i}`).sort());
    // Conversations continue across the restarts: each sender's tenth message is the tenth turn.
    expect(signal.sent.filter((s) => s.message.includes("(turn 10)"))).toHaveLength(SENDERS.length);
  });

  it("marks the bridge and its channels down when heartbeats stop, and up again when it returns", async () => {
    for (const b of bridges) await b.kill();
    await waitFor(async () => (await bridgeRow()).status === "down", 15_000, "bridge down");
    const down = await channel();
    expect(down.status).toBe("down");
    expect(down.lastError).toMatch(/bridge offline/);
    const health = await api<{ bridges: { up: number; down: number } }>("GET", "/api/health/details");
    expect(health.body.bridges).toEqual({ up: 0, down: 1 });
    const events = await api<{ events: { kind: string }[] }>("GET", "/api/events?kind=bridge.down");
    expect(events.body.events.length).toBeGreaterThanOrEqual(1);

    // A reply queued while the bridge is away is delivered once it is back.
    const before = signal.sent.length;
    runBridge();
    await waitFor(async () => (await channel()).status === "connected", 30_000, "channel connected again");
    signal.deliver({ from: SENDERS[0]!, text: "back again" });
    await waitFor(async () => signal.sent.length === before + 1, 20_000, "reply after return");
    expect((await bridgeRow()).status).toBe("up");
  });

  it("closes a revoked bridge for good", async () => {
    const revoked = await api("DELETE", `/api/bridges/${bridgeId}`);
    expect(revoked.status).toBe(200);
    const live = bridges.at(-1)!;
    await waitFor(async () => live.output().includes("revoked"), 10_000, "bridge told it was revoked");
    const again = await fetch(`${gw.url}/bridge/connect`, { headers: { authorization: `Bearer ${token}` } });
    expect(again.status).toBe(401);
  });
});
