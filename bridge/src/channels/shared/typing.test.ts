/**
 * The bridge's shared typing indicator on fake timers: shown at once, renewed on its interval,
 * stopped by the reply (with the platform's "stopped" call where it has one), capped, and
 * never failing a reply when the platform refuses the call.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TypingIndicator } from "./typing";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function recorder(options: { renewMs?: number; maxMs?: number; withEnd?: boolean; failing?: boolean } = {}) {
  const calls: string[] = [];
  const typing = new TypingIndicator({
    ping: async (target) => {
      calls.push(`ping ${target}`);
      if (options.failing) throw new Error("403 Forbidden");
    },
    end: options.withEnd
      ? async (target) => {
          calls.push(`end ${target}`);
        }
      : undefined,
    renewMs: options.renewMs ?? 4000,
    maxMs: options.maxMs ?? 120_000,
  });
  return { calls, typing };
}

describe("TypingIndicator", () => {
  it("pings at once, renews every interval, and ends when the reply stops it", async () => {
    const { calls, typing } = recorder({ withEnd: true });
    typing.start("room-1");
    expect(calls).toEqual(["ping room-1"]);
    await vi.advanceTimersByTimeAsync(3999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual(["ping room-1", "ping room-1"]);
    await vi.advanceTimersByTimeAsync(8000);
    expect(calls).toHaveLength(4);
    expect(typing.isActive("room-1")).toBe(true);

    typing.stop("room-1");
    expect(calls.at(-1)).toBe("end room-1");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(5);
    expect(typing.isActive("room-1")).toBe(false);
    // A second reply to the same message (a file after the text) sends no second "stopped".
    typing.stop("room-1");
    expect(calls).toHaveLength(5);
  });

  it("keeps one renewal per target: a second message in the same chat restarts it, other chats run alongside", async () => {
    const { calls, typing } = recorder();
    typing.start("a");
    typing.start("b");
    await vi.advanceTimersByTimeAsync(2000);
    typing.start("a");
    await vi.advanceTimersByTimeAsync(4000);
    // a: 0 s, 2 s (restart), 6 s; b: 0 s, 4 s.
    expect(calls.filter((c) => c === "ping a")).toHaveLength(3);
    expect(calls.filter((c) => c === "ping b")).toHaveLength(2);
    typing.stopAll();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(5);
  });

  it("gives up after the cap and then sends the platform's stop", async () => {
    const { calls, typing } = recorder({ renewMs: 4000, maxMs: 120_000, withEnd: true });
    typing.start("chat");
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(calls.filter((c) => c.startsWith("ping"))).toHaveLength(1 + 120_000 / 4000);
    expect(calls.at(-1)).toBe("end chat");
    expect(typing.isActive("chat")).toBe(false);
  });

  it("swallows a refused call (no unhandled rejection) and keeps renewing", async () => {
    const { calls, typing } = recorder({ failing: true });
    typing.start("chat");
    await vi.advanceTimersByTimeAsync(8000);
    expect(calls).toHaveLength(3);
    typing.stopAll();
  });
});
