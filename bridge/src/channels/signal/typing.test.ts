/**
 * "typing…" on the Signal channel: over a real JSON-RPC connection to the fake signal-cli daemon
 * (which checks `sendTyping`'s params as signal-cli does), a person gets `recipient`, a group
 * `groupId`, and the reply sends `stop: true`; on fake timers it is renewed every 10 s (signal-cli
 * says the indicator shows 15 s) and ends after two minutes.
 */
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startFakeSignalCli } from "./fake-signal-cli";
import { JsonRpcLines } from "./json-rpc-lines";
import { signalTyping, typingParams } from "./typing";

const BOT = "+15550104242";
const ALICE = "+15550107777";
const GROUP = "aGVsbG8tZ3JvdXAtaWQtYmFzZTY0LXh4eHh4eHg=";

let signal: Awaited<ReturnType<typeof startFakeSignalCli>>;
let socket: Socket;
let rpc: JsonRpcLines;

beforeAll(async () => {
  signal = await startFakeSignalCli(BOT);
  const [host, port] = signal.address.split(":");
  socket = connect({ host, port: Number(port) });
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  rpc = new JsonRpcLines(socket, socket, () => undefined);
});
afterAll(async () => {
  socket?.destroy();
  await signal?.close();
});

describe("Signal typing indicator", () => {
  it("sends sendTyping to the person at once, and stop: true when the reply goes out", async () => {
    const typing = signalTyping(() => rpc);
    typing.start(ALICE);
    await vi.waitFor(() => expect(signal.typing).toHaveLength(1));
    typing.stop(ALICE);
    await vi.waitFor(() => expect(signal.typing).toHaveLength(2));
    expect(signal.typing.map(({ at: _at, ...t }) => t)).toEqual([
      { recipient: [ALICE], stop: false },
      { recipient: [ALICE], stop: true },
    ]);
  });

  it("names a group by its id, as the channel names the conversation (group:<id>)", async () => {
    signal.typing.length = 0;
    const typing = signalTyping(() => rpc);
    typing.start(`group:${GROUP}`);
    typing.stop(`group:${GROUP}`);
    await vi.waitFor(() => expect(signal.typing).toHaveLength(2));
    expect(signal.typing.map(({ at: _at, ...t }) => t)).toEqual([
      { groupId: GROUP, stop: false },
      { groupId: GROUP, stop: true },
    ]);
  });

  it("signal-cli refuses a malformed recipient; the refusal is swallowed and nothing is recorded", async () => {
    signal.typing.length = 0;
    await expect(rpc.request("sendTyping", typingParams("not-a-number", false))).rejects.toThrow("Invalid number");
    const typing = signalTyping(() => rpc);
    typing.start("not-a-number");
    typing.stop("not-a-number");
    // A valid notice after them shows both refusals were answered (and ignored) first.
    await rpc.request("sendTyping", typingParams(ALICE, true));
    expect(signal.typing.map(({ at: _at, ...t }) => t)).toEqual([{ recipient: [ALICE], stop: true }]);
  });

  it("renews every 10 s and gives up after two minutes with stop: true", async () => {
    vi.useFakeTimers();
    try {
      const calls: [string, Record<string, unknown>][] = [];
      const typing = signalTyping(() => ({ request: async (method: string, params: Record<string, unknown>) => (calls.push([method, params]), {}) }));
      typing.start(ALICE);
      await vi.advanceTimersByTimeAsync(9_999);
      expect(calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(calls).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(10 * 60_000);
      expect(calls.filter(([, p]) => !p.stop)).toHaveLength(1 + 120_000 / 10_000);
      expect(calls.at(-1)).toEqual(["sendTyping", { recipient: [ALICE], stop: true }]);
      expect(calls.every(([m]) => m === "sendTyping")).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
