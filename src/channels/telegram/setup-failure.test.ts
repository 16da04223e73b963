/**
 * A failed Telegram setup names the real cause: "Telegram refused" only when the Bot API
 * answered with an error, "Could not reach Telegram" when it was never reached.
 */
import { describe, expect, it } from "vitest";
import type { ChannelContext } from "../shared/types";
import { createTelegramFake } from "./fake-bot-api";
import { type TelegramConfig, telegramAdapter } from "./index";

const TOKEN = "123456789:AAEhBOweik6ad6PsWf6q3k3sGr2Z3Oe3r0c";
const SECRET = "setup-failure-secret-0123";

function ctx(fetch: ChannelContext<TelegramConfig>["fetch"], botToken = TOKEN): ChannelContext<TelegramConfig> {
  return { channelId: "ch_tg", config: { botToken, secretToken: SECRET, apiBase: "https://tg.fake" }, publicUrl: "https://gw.example", now: Date.now(), fetch };
}

describe("Telegram setup failures", () => {
  it("says Telegram refused when the Bot API answered with an error", async () => {
    const fake = createTelegramFake({ token: TOKEN });
    const result = await telegramAdapter.setup!(ctx(async (input, init) => fake.handle(new Request(input, init)), "123456789:wrongTokenWrongToken"));
    expect(result.ok).toBe(false);
    expect(result.steps[0]).toMatch(/^Telegram refused the webhook: .*401 Unauthorized/);
  });

  it("says Telegram could not be reached when no answer came, never that it refused", async () => {
    const result = await telegramAdapter.setup!(
      ctx(async () => {
        throw new TypeError("fetch failed: connect ECONNREFUSED");
      }),
    );
    expect(result.ok).toBe(false);
    expect(result.steps[0]).toMatch(/^Could not reach Telegram \(network error: .+\): check that the gateway can reach the Bot API/);
    expect(result.steps.join(" ")).not.toContain("refused the webhook");
  });
});
