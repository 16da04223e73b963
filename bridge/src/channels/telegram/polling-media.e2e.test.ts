/**
 * Media through Telegram long polling (docs/media.md): the bridge polls the fake Bot API and
 * hands the gateway `telegram-file:` references (never the bytes, never a URL with the token);
 * the gateway downloads the photo with the bot token and shows it to the fake Messages API as an
 * image block, and answers a voice note from its transcript (fake Workers AI), as the webhook
 * channel does.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTelegramFake } from "../../../../src/channels/telegram/fake-bot-api";
import photoCaption from "../../../../src/channels/telegram/fixtures/photo-caption.json";
import voiceUpdate from "../../../../src/channels/telegram/fixtures/voice.json";
import { startFakeAnthropic, type FakeAnthropic } from "../../../../test/fakes/anthropic-messages";
import { serveFake } from "../../../../test/fakes/http-fake-server";
import { createSpeechToTextFake } from "../../../../test/fakes/speech-to-text";
import { type BridgeGatewayParts, startBridgeGateway, stopBridgeGateway, telegramPollingChannel } from "../../../../test/support/bridge-gateway";
import { waitFor } from "../../../../test/support/gateway-process";

const PORT = 9756;
const KEY = "sk-ant-e2e-polling-media-8f0a";
const TOKEN = "123456780:AAE2eFakeTelegramPollingMediaToken";
const CF_ACCOUNT = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const CF_TOKEN = "cf-ai-token-polling-media";
const PHOTO = readFileSync(new URL("../../../../src/channels/telegram/fixtures/photo.jpg", import.meta.url));
const VOICE = readFileSync(new URL("../../../../src/channels/telegram/fixtures/voice.oga", import.meta.url));
const SPOKEN = "Remind the team that the demo moved to Thursday.";

type Block = { type: string; text?: string; source?: { type: string; media_type: string; data: string } };

describe("Telegram media through long polling", () => {
  const telegram = createTelegramFake({ token: TOKEN });
  const speech = createSpeechToTextFake({ accountId: CF_ACCOUNT, apiToken: CF_TOKEN, openAiKey: "unused" });
  let anthropic: FakeAnthropic;
  let server: Awaited<ReturnType<typeof serveFake>>;
  const parts: BridgeGatewayParts = { dataDir: mkdtempSync(join(tmpdir(), "loopgate-bridge-telegram-media-")), fakes: [] };
  let nextId = 40_000;

  beforeAll(async () => {
    [anthropic, server] = await Promise.all([
      startFakeAnthropic({ apiKey: KEY, minCacheableTokens: 256 }),
      serveFake((request) => (new URL(request.url).pathname.startsWith("/client/v4/") ? speech.handle(request) : telegram.handle(request))),
    ]);
    parts.fakes.push(server, anthropic);
    await startBridgeGateway(
      {
        port: PORT,
        env: {
          ANTHROPIC_API_KEY: KEY,
          ANTHROPIC_BASE_URL: anthropic.url,
          AGENT_RETRY_BASE_MS: "50",
          CLOUDFLARE_ACCOUNT_ID: CF_ACCOUNT,
          CLOUDFLARE_AI_TOKEN: CF_TOKEN,
          CLOUDFLARE_API_BASE_URL: `${server.url}/client/v4`,
        },
        bridgeName: "media-lab",
        channels: (bridgeId) => [telegramPollingChannel(bridgeId, TOKEN, server.url)],
      },
      parts,
    );
  });

  afterAll(() => stopBridgeGateway(parts));

  /** The update's one reply as the chat shows it once it reads `finished` (replies stream: posted, then edited). */
  const enqueue = async (fixture: typeof photoCaption | typeof voiceUpdate, finished: string) => {
    const update = structuredClone(fixture) as { update_id: number; message: { message_id: number } };
    update.update_id = nextId;
    update.message.message_id = nextId++;
    telegram.enqueue(update);
    const id = update.message.message_id;
    const replies = () => telegram.state.sent.filter((s) => s.reply_parameters?.message_id === id);
    const shown = () => (telegram.shownText(replies()[0]?.message_id ?? -1) ?? "").replaceAll("&quot;", '"');
    await waitFor(async () => shown().includes(finished), 40_000, `the reply to ${id}`);
    expect(replies()).toHaveLength(1);
    return shown();
  };
  const lastUserBlocks = () => (anthropic.answered().at(-1)!.body.messages as { content: Block[] }[]).at(-1)!.content;

  it("shows a polled photo to the model, downloaded by the gateway with the bot token", async () => {
    telegram.addFile(photoCaption.message.photo.at(-1)!.file_id, PHOTO, "photos/file_3.jpg");
    const reply = await enqueue(photoCaption, "I see 1 image (image/jpeg 48x32)");
    expect(reply).toMatch(/I see 1 image \(image\/jpeg 48x32\)/);
    expect(lastUserBlocks()[0]).toEqual({ type: "image", source: { type: "base64", media_type: "image/jpeg", data: PHOTO.toString("base64") } });
    expect(telegram.state.downloads).toEqual([{ path: "photos/file_3.jpg", status: 200 }]);
  });

  it("answers a polled voice note from its transcript", async () => {
    telegram.addFile(voiceUpdate.message.voice.file_id, VOICE, "voice/file_4.oga");
    speech.addAudio(VOICE, SPOKEN, 5);
    const reply = await enqueue(voiceUpdate, SPOKEN);
    expect(reply).toContain(SPOKEN);
    expect(lastUserBlocks()[0]!.text).toContain(`[voice message, 5 s]\n[transcript of the voice message, 5 s]: ${SPOKEN}`);
  });
});
