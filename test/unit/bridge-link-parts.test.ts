import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { backoffDelayMs } from "../../bridge/src/backoff";
import { FloodQueue } from "../../bridge/src/channels/irc/flood-queue";
import { DeliveredLog } from "../../bridge/src/delivered-log";
import { InboundOutbox } from "../../bridge/src/inbound-outbox";
import { bridgeFrame } from "../../src/protocol/bridge";

const dir = () => mkdtempSync(join(tmpdir(), "bridge-unit-"));

describe("reconnect backoff", () => {
  const opts = { baseMs: 500, maxMs: 30_000 };
  it("grows exponentially up to the cap", () => {
    expect(backoffDelayMs(0, opts, () => 1)).toBe(500);
    expect(backoffDelayMs(3, opts, () => 1)).toBe(4000);
    expect(backoffDelayMs(40, opts, () => 1)).toBe(30_000);
  });
  it("spreads retries with jitter but never retries at once", () => {
    expect(backoffDelayMs(5, opts, () => 0)).toBe(250);
    const samples = new Set(Array.from({ length: 50 }, () => backoffDelayMs(5, opts)));
    expect(samples.size).toBeGreaterThan(10);
    for (const s of samples) expect(s).toBeGreaterThanOrEqual(250);
  });
});

describe("inbound outbox", () => {
  it("keeps unacknowledged messages across a restart, in arrival order", () => {
    const d = dir();
    const first = new InboundOutbox(d);
    const { entry: a } = first.add("ch_1", { senderId: "alice", platformMessageId: "p1", text: "one" });
    const { entry: b } = first.add("ch_1", { senderId: "bob", platformMessageId: "p2", text: "two" });
    first.add("ch_2", { senderId: "carol", platformMessageId: "p3", text: "three" });
    first.remove(b.id);
    const reopened = new InboundOutbox(d);
    expect(reopened.list().map((e) => e.message.text)).toEqual(["one", "three"]);
    reopened.remove(a.id);
    expect(new InboundOutbox(d).list().map((e) => e.message.platformMessageId)).toEqual(["p3"]);
    expect(readdirSync(join(d, "outbox")).filter((f) => f.includes(".tmp"))).toEqual([]);
  });
  it("ignores ids that are not its own file names", () => {
    const box = new InboundOutbox(dir());
    box.add("ch_1", { senderId: "a", platformMessageId: "p", text: "t" });
    box.remove("../../etc/passwd");
    expect(box.list()).toHaveLength(1);
  });
});

describe("delivered reply log", () => {
  it("remembers delivered reply ids across a restart", () => {
    const d = dir();
    const log = new DeliveredLog(d);
    log.add("msg_1:0000");
    log.add("msg_1:0000");
    log.add("msg_2:0000");
    const reopened = new DeliveredLog(d);
    expect(reopened.has("msg_1:0000")).toBe(true);
    expect(reopened.has("msg_2:0000")).toBe(true);
    expect(reopened.has("msg_3:0000")).toBe(false);
  });
});

describe("flood queue", () => {
  afterEach(() => vi.useRealTimers());
  it("sends a burst at once, then one line per interval", async () => {
    vi.useFakeTimers();
    const sentAt: number[] = [];
    const q = new FloodQueue(3, 1000);
    const start = Date.now();
    const all = Promise.all(Array.from({ length: 6 }, () => q.push(() => sentAt.push(Date.now() - start))));
    await vi.advanceTimersByTimeAsync(5000);
    expect(await all).toEqual([true, true, true, true, true, true]);
    expect(sentAt.slice(0, 3)).toEqual([0, 0, 0]);
    expect(sentAt.slice(3)).toEqual([1000, 2000, 3000]);
  });
  it("reports lines dropped when the connection goes away", async () => {
    vi.useFakeTimers();
    const q = new FloodQueue(1, 1000);
    const first = q.push(() => undefined);
    const second = q.push(() => undefined);
    q.clear();
    expect(await first).toBe(true);
    expect(await second).toBe(false);
  });
});

describe("bridge frames", () => {
  it("accepts the frames a bridge sends", () => {
    expect(bridgeFrame.safeParse({ t: "hello", version: "0.1.0", heartbeatMs: 15000 }).success).toBe(true);
    expect(bridgeFrame.safeParse({ t: "inbound", id: "x", channelId: "ch_1", message: { senderId: "a", platformMessageId: "p", text: "hi" } }).success).toBe(
      true,
    );
    expect(bridgeFrame.safeParse({ t: "state", channelId: "ch_1", state: "needs_login", reason: "scan the QR code" }).success).toBe(true);
  });
  it("rejects malformed frames", () => {
    expect(bridgeFrame.safeParse({ t: "hello", version: "0.1.0", heartbeatMs: 5 }).success).toBe(false);
    expect(bridgeFrame.safeParse({ t: "inbound", id: "x", channelId: "ch_1", message: { senderId: "", platformMessageId: "p", text: "hi" } }).success).toBe(
      false,
    );
    expect(bridgeFrame.safeParse({ t: "state", channelId: "ch_1", state: "exploded" }).success).toBe(false);
    expect(bridgeFrame.safeParse({ t: "drop table" }).success).toBe(false);
  });
});
