/**
 * WhatsApp's "typing…" renewal on fake timers: `composing` at once and every 8 s (Baileys: a
 * presence "expires after about 10 seconds"), `paused` on the reply or after two minutes, and a
 * refused call (connection gone) failing nothing.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { whatsappTyping } from "./typing";

const CHAT = "215678901234567@lid";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function recorder() {
  const states: string[] = [];
  const socket = {
    sendPresenceUpdate: async (type: "composing" | "paused", jid: string) => void states.push(`${type} ${jid}`),
  };
  return { states, socket };
}

describe("WhatsApp typing indicator", () => {
  it("sends composing at once and every 8 s, and paused when the reply stops it", async () => {
    const { states, socket } = recorder();
    const typing = whatsappTyping(() => socket);
    typing.start(CHAT);
    await vi.advanceTimersByTimeAsync(7999);
    expect(states).toEqual([`composing ${CHAT}`]);
    await vi.advanceTimersByTimeAsync(1);
    expect(states).toHaveLength(2);
    typing.stop(CHAT);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(states).toEqual([`composing ${CHAT}`, `composing ${CHAT}`, `paused ${CHAT}`]);
  });

  it("gives up after two minutes with paused", async () => {
    const { states, socket } = recorder();
    const typing = whatsappTyping(() => socket);
    typing.start(CHAT);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(states.filter((s) => s.startsWith("composing"))).toHaveLength(1 + Math.floor(120_000 / 8000));
    expect(states.at(-1)).toBe(`paused ${CHAT}`);
  });

  it("without a connection nothing is sent and nothing throws", async () => {
    const typing = whatsappTyping(() => null);
    typing.start(CHAT);
    await vi.advanceTimersByTimeAsync(20_000);
    typing.stop(CHAT);
    expect(typing.isActive(CHAT)).toBe(false);
  });
});
