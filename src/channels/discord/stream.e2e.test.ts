/**
 * Streamed answers to Discord's /ask, end to end: `npm start` with the real SDK pointed at a
 * fake Messages API that writes slowly, and a fake Discord that keeps one `@original` message
 * per interaction and lists every edit. The deferred response grows by edits and its last edit
 * is the finished reply; no follow-up message appears.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../../../test/fakes/anthropic-messages";
import { setupAdmin, waitFor } from "../../../test/support/gateway-process";
import { createChannelWithSetup, platformGateway } from "../../../test/support/platform-gateway";
import { createDiscordFake, type DiscordFake } from "./fake-api";
import ask from "./fixtures/ask.json";
import { DISCORD_EDIT_INTERVAL_MS } from "./stream";

const PORT = 9802;
const KEY = "sk-ant-e2e-discord-stream-77aa";
const APP_ID = "223456789012345678";
const BOT_TOKEN = "e2e-discord-stream-bot-token-0123456789";

const ANSWER =
  "The Gitrog Monster is a legendary creature. " + Array.from({ length: 8 }, (_, i) => `Point ${i + 1}: it matters for reason number ${i + 1}.`).join(" ");

describe("streamed answers on Discord, end to end", () => {
  let fake: DiscordFake;
  let anthropic: FakeAnthropic;
  beforeAll(async () => {
    anthropic = await startFakeAnthropic({ apiKey: KEY });
  });
  afterAll(async () => {
    await anthropic?.close();
  });
  const platform = platformGateway({
    port: PORT,
    fake: async () => (fake = await createDiscordFake({ applicationId: APP_ID, botToken: BOT_TOKEN })).handle,
    env: () => ({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: anthropic.url, AGENT_RETRY_BASE_MS: "50" }),
  });

  it("grows the deferred response by edits at Discord's pace and ends on the finished reply", async () => {
    const { api } = await setupAdmin(platform.gw);
    const { inboundUrl } = await createChannelWithSetup(api, {
      type: "discord",
      name: "Discord streaming",
      policy: "open",
      config: { applicationId: APP_ID, publicKey: fake.publicKey, botToken: BOT_TOKEN, apiBase: `${platform.fakeUrl}/api/v10` },
    });
    anthropic.enqueue({ kind: "text", text: ANSWER, deltaDelayMs: 120 });
    const question = structuredClone(ask);
    question.token = "stream-token";
    expect(await fake.deliver(inboundUrl, question)).toEqual({ status: 200, body: { type: 5 } });

    const edits = () => fake.state.originalEdits.filter((e) => e.token === "stream-token");
    await waitFor(async () => edits().some((e) => e.content === ANSWER), 60_000, "the finished answer");
    expect(fake.state.messages.filter((m) => m.token === "stream-token").map((m) => m.kind)).toEqual(["original"]);
    const seen = edits();
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen[0]!.content.length).toBeLessThan(ANSWER.length);
    for (const e of seen) expect(ANSWER.startsWith(e.content)).toBe(true);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.at - seen[i - 1]!.at).toBeGreaterThanOrEqual(DISCORD_EDIT_INTERVAL_MS);
  });
});
