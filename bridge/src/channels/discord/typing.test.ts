/**
 * The Discord gateway channel's "Bot is typing…": Discord shows it for about ten seconds per
 * POST /channels/{id}/typing, so it is renewed every eight seconds while the turn runs, stops
 * when the reply goes out, and gives up after two minutes. Against the fake Discord API (which
 * wants the bot token), on fake timers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createDiscordFake } from "../../../../src/channels/discord/fake-api";
import { discordTyping } from "./typing";

const BOT_TOKEN = "MTA5ODc2NTQzMjEwOTg3NjU0.Gx1fak.typing-test-token";
const CHANNEL = "1100000000000000001";

async function setup(botToken = BOT_TOKEN) {
  const fake = await createDiscordFake({ applicationId: "1098765432109876543", botToken: BOT_TOKEN });
  const responses: number[] = [];
  const fetchFn: typeof fetch = async (input, init) => {
    const res = await fake.handle(new Request(input, init));
    responses.push(res.status);
    return res;
  };
  return { fake, responses, typing: discordTyping({ apiBase: "https://discord.fake/api/v10", botToken, fetch: fetchFn }) };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("Discord gateway typing indicator", () => {
  it("is shown at once and renewed every 8 s (Discord shows it for ~10 s) until the reply stops it", async () => {
    const { fake, responses, typing } = await setup();
    typing.start(CHANNEL);
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.state.typing).toEqual([CHANNEL]);
    await vi.advanceTimersByTimeAsync(7_900);
    expect(fake.state.typing).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(fake.state.typing).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(16_000);
    expect(fake.state.typing).toHaveLength(4);
    expect(responses.every((s) => s === 204)).toBe(true);

    typing.stop(CHANNEL);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fake.state.typing).toHaveLength(4);
  });

  it("gives up after two minutes, so a stuck turn does not look like endless typing", async () => {
    const { fake, typing } = await setup();
    typing.start(CHANNEL);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    // The first at 0 s, then every 8 s up to 120 s.
    expect(fake.state.typing).toHaveLength(1 + Math.floor(120_000 / 8000));
  });

  it("sends the bot token: without it Discord (and the fake) answer 401 and nothing shows", async () => {
    const { fake, responses, typing } = await setup("wrong-token");
    typing.start(CHANNEL);
    await vi.advanceTimersByTimeAsync(0);
    expect(responses).toEqual([401]);
    expect(fake.state.typing).toEqual([]);
    typing.stopAll();
  });
});
