/**
 * "typing…" on the Telegram long-polling channel, against the fake Bot API (which wants the
 * bot token in the path and checks chat_id and action) on fake timers: sent when the message
 * arrives, every 4 s while the turn runs (Telegram shows it 5 s), not after the reply.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { telegramApi } from "../../../../src/channels/telegram/api";
import { createTelegramFake } from "../../../../src/channels/telegram/fake-bot-api";
import { telegramTyping } from "./typing";

const TOKEN = "123456:typing-test-token";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(token = TOKEN) {
  const fake = createTelegramFake({ token: TOKEN });
  const statuses: number[] = [];
  const fetchFn: typeof fetch = async (input, init) => {
    const res = await fake.handle(new Request(input, init));
    statuses.push(res.status);
    return res;
  };
  return { fake, statuses, typing: telegramTyping(telegramApi(token, "https://telegram.fake", fetchFn)) };
}

describe("Telegram polling typing indicator", () => {
  it("sends sendChatAction typing at once and every 4 s until the reply stops it", async () => {
    const { fake, statuses, typing } = setup();
    typing.start("1111111");
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.state.chatActions).toEqual([{ chat_id: "1111111", action: "typing" }]);
    await vi.advanceTimersByTimeAsync(3900);
    expect(fake.state.chatActions).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(fake.state.chatActions).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(8000);
    expect(fake.state.chatActions).toHaveLength(4);
    expect(statuses.every((s) => s === 200)).toBe(true);

    typing.stop("1111111");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fake.state.chatActions).toHaveLength(4);
  });

  it("stops renewing after two minutes", async () => {
    const { fake, typing } = setup();
    typing.start("-100200300");
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(fake.state.chatActions).toHaveLength(1 + 120_000 / 4000);
    expect(fake.state.chatActions.every((a) => a.chat_id === "-100200300" && a.action === "typing")).toBe(true);
  });

  it("with a wrong token Telegram (and the fake) refuse it and nothing shows, without failing anything", async () => {
    const { fake, statuses, typing } = setup("654321:wrong-token");
    typing.start("1111111");
    await vi.advanceTimersByTimeAsync(0);
    expect(statuses).toEqual([401]);
    expect(fake.state.chatActions).toEqual([]);
    typing.stopAll();
  });
});
