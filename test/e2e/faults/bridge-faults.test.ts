/**
 * The bridge's promise under faults, end to end: `npm start` and the bridge as processes, a
 * Signal channel on the bridge against the fake signal-cli, the echo model answering. The
 * gateway drops the bridge's connection again and again while senders write, and the bridge's
 * disk fills up and frees again: first injected (durable writes fail with ENOSPC,
 * docs/reliability.md), then for real, with the bridge's data folder on a small tmpfs filled to
 * the last page. Every message must be answered exactly once.
 */
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeSignalCli } from "../../../bridge/src/channels/signal/fake-signal-cli";
import { startBridge, type BridgeProcess } from "../../support/bridge-process";
import { apiClient, type GatewayProcess, removeState, setupAdmin, startGateway, waitFor } from "../../support/gateway-process";

const PORT = 10002;
const ACCOUNT = "+15550000777";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dataDir = mkdtempSync(join(tmpdir(), "loopgate-bridge-faults-"));

/** Puts the bridge's data folder on a 4 MiB tmpfs when this process may mount one (root on Linux, as in CI). */
function mountSmallTmpfs(dir: string): boolean {
  if (process.platform !== "linux" || process.getuid?.() !== 0) return false;
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", dir], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}
const realDisk = mountSmallTmpfs(dataDir);

/** Writes zeros to `path` until the filesystem has no page left, as a disk filled by something else. */
function fillDisk(path: string): void {
  const fd = openSync(path, "w");
  try {
    for (const size of [65_536, 4_096, 512, 1]) {
      const chunk = Buffer.alloc(size);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
}

describe("faults on the bridge: a flapping link, a full disk", () => {
  let gw: GatewayProcess;
  let api: ReturnType<typeof apiClient>;
  let signal: Awaited<ReturnType<typeof startFakeSignalCli>>;
  let bridge: BridgeProcess;
  let bridgeId: string;
  let channelId: string;
  const diskFull = join(dataDir, "..", `loopgate-enospc-${process.pid}`);

  /** Replies on Signal to one message (the echo model quotes it). */
  const repliesTo = (text: string) => signal.sent.filter((s) => s.message.endsWith(`You said: ${text}`));
  const expectEachOnce = (texts: string[]) => {
    for (const t of texts) expect(repliesTo(t), `replies to "${t}"`).toHaveLength(1);
  };
  const queued = async () => (await api<{ bridge: { queuedReplies: number } }>("GET", `/api/bridges/${bridgeId}`)).body.bridge.queuedReplies;

  beforeAll(async () => {
    // CI runs as root: there the real full disk must be tried, not skipped.
    if (process.env.CI === "true") expect(realDisk, "mounting a tmpfs for the bridge's data folder").toBe(true);
    signal = await startFakeSignalCli(ACCOUNT);
    gw = await startGateway({ port: PORT, env: { API_RATE_LIMIT_PER_MINUTE: "100000" } });
    api = (await setupAdmin(gw)).api;
    const created = await api<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: "faults" });
    expect(created.status).toBe(201);
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
    bridge = startBridge({ url: gw.url, token: created.body.token, dataDir, heartbeatMs: 300, env: { LOOPGATE_BRIDGE_TEST_ENOSPC_FILE: diskFull } });
    await waitFor(
      async () => (await api<{ channel: { status: string } }>("GET", `/api/channels/${channelId}`)).body.channel.status === "connected",
      60_000,
      "the Signal channel connected",
    );
  });

  afterAll(async () => {
    rmSync(diskFull, { force: true });
    await bridge?.kill();
    await gw?.stop();
    await signal?.close();
    if (gw) removeState(gw.stateDir);
    if (realDisk) execFileSync("umount", ["-l", dataDir]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("the link dropped every few hundred milliseconds under load: every message answered once", async () => {
    const senders = ["+15550002001", "+15550002002", "+15550002003", "+15550002004"];
    const texts = Array.from({ length: 60 }, (_, i) => `flap ${i}`);
    let kicks = 0;
    const sending = (async () => {
      for (const [i, text] of texts.entries()) {
        signal.deliver({ from: senders[i % senders.length]!, text });
        await sleep(80);
      }
    })();
    // Drop the link while messages and replies are in flight: each time the bridge is back, drop it again, until every
    // message was sent and at least five drops hit a live link.
    let done = false;
    void sending.then(() => (done = true));
    while (!done || kicks < 5) {
      await waitFor(
        async () => (await api<{ bridge: { connected: boolean } }>("GET", `/api/bridges/${bridgeId}`)).body.bridge.connected,
        30_000,
        "the bridge back",
      );
      const kicked = await api<{ wasConnected: boolean }>("POST", `/api/bridges/${bridgeId}/disconnect`);
      expect(kicked.status).toBe(200);
      if (kicked.body.wasConnected) kicks++;
      await sleep(150);
    }
    await waitFor(async () => texts.every((t) => repliesTo(t).length > 0), 90_000, "a reply to every message");
    await waitFor(async () => (await queued()) === 0, 30_000, "the bridge's reply queue drained");
    expectEachOnce(texts);
    expect(kicks).toBeGreaterThanOrEqual(5);
    const inbound = await api<{ messages: { direction: string; text: string }[] }>("GET", `/api/messages?channelId=${channelId}&limit=500`);
    const recorded = inbound.body.messages.filter((m) => m.direction === "in" && m.text.startsWith("flap ")).map((m) => m.text);
    expect(recorded.sort()).toEqual([...texts].sort());
  });

  it("a full disk on the bridge: messages are kept in memory, still answered once, and written down once space is back", async () => {
    writeFileSync(diskFull, "");
    const during = Array.from({ length: 8 }, (_, i) => `disk full ${i}`);
    for (const text of during) signal.deliver({ from: "+15550003001", text });
    await waitFor(async () => bridge.logs("inbound kept in memory: it could not be written down").length >= during.length, 30_000, "the writes refused");
    await waitFor(async () => during.every((t) => repliesTo(t).length > 0), 60_000, "replies while the disk is full");
    // Replies delivered while the disk is full are remembered in memory; the Worker's re-sends are still recognised.
    await waitFor(async () => (await queued()) === 0, 30_000, "the reply queue drained while the disk is full");
    expect(bridge.logs("delivered reply remembered in memory only").length).toBeGreaterThan(0);
    rmSync(diskFull);
    const after = ["space back 0", "space back 1"];
    for (const text of after) signal.deliver({ from: "+15550003001", text });
    await waitFor(async () => after.every((t) => repliesTo(t).length > 0), 60_000, "replies once space is back");
    await waitFor(async () => (await queued()) === 0, 30_000, "the reply queue drained");
    expect(bridge.logs("inbound persisted").some((l) => String(l.platformMessageId ?? "").length > 0)).toBe(true);
    expectEachOnce([...during, ...after]);
  });

  it.skipIf(!realDisk)("a really full disk (the data folder's tmpfs filled to the last page): answered once, written down once space is back", async () => {
    const keptBefore = bridge.logs("inbound kept in memory: it could not be written down").length;
    const persistedBefore = bridge.logs("inbound persisted").length;
    const filler = join(dataDir, "filler");
    fillDisk(filler);
    const during = Array.from({ length: 6 }, (_, i) => `tmpfs full ${i}`);
    for (const text of during) signal.deliver({ from: "+15550004001", text });
    await waitFor(
      async () => bridge.logs("inbound kept in memory: it could not be written down").length >= keptBefore + during.length,
      30_000,
      "the real disk refused the writes",
    );
    await waitFor(async () => during.every((t) => repliesTo(t).length > 0), 60_000, "replies while the disk is full");
    await waitFor(async () => (await queued()) === 0, 30_000, "the reply queue drained while the disk is full");
    expect(bridge.logs("inbound persisted").length, "nothing written while the disk is full").toBe(persistedBefore);
    rmSync(filler);
    const after = ["tmpfs freed 0", "tmpfs freed 1"];
    for (const text of after) signal.deliver({ from: "+15550004001", text });
    await waitFor(async () => after.every((t) => repliesTo(t).length > 0), 60_000, "replies once space is back");
    await waitFor(async () => (await queued()) === 0, 30_000, "the reply queue drained");
    expect(bridge.logs("inbound persisted").length).toBeGreaterThan(persistedBefore);
    expectEachOnce([...during, ...after]);
  });
});
