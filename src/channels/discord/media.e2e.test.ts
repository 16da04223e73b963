/**
 * A file given to Discord's /ask, end to end (docs/media.md): the interaction names it in
 * `data.resolved.attachments` with a signed CDN URL; the gateway downloads it from the fake's
 * CDN (no token: Discord's attachment URLs carry their own signature) and shows the picture to
 * the fake Messages API as an image block. A file over the limit, by the size Discord declares,
 * gets a clear reply with no download and no model call.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../../../test/fakes/anthropic-messages";
import { setupAdmin, waitFor } from "../../../test/support/gateway-process";
import { createChannelWithSetup, platformGateway } from "../../../test/support/platform-gateway";
import { createDiscordFake, type DiscordFake } from "./fake-api";
import askWithFile from "./fixtures/ask-with-file.json";

const PORT = 9754;
const KEY = "sk-ant-e2e-discord-media-1b2c";
const APP_ID = "123456789012345679";
const BOT_TOKEN = "e2e-discord-media-bot-token-0123456789";
const PHOTO = readFileSync(new URL("../telegram/fixtures/photo.jpg", import.meta.url));

type Block = { type: string; text?: string; source?: { type: string; media_type: string; data: string } };

describe("a file given to Discord's /ask, end to end", () => {
  let anthropic: FakeAnthropic;
  let fake: DiscordFake;
  let url = "";
  let seq = 0;

  beforeAll(async () => {
    anthropic = await startFakeAnthropic({ apiKey: KEY, minCacheableTokens: 256 });
  });
  afterAll(async () => {
    await anthropic?.close();
  });
  const platform = platformGateway({
    port: PORT,
    fake: async () => (fake = await createDiscordFake({ applicationId: APP_ID, botToken: BOT_TOKEN })).handle,
    env: () => ({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: anthropic.url, AGENT_RETRY_BASE_MS: "50" }),
  });

  let api: Awaited<ReturnType<typeof setupAdmin>>["api"];
  /** Replies as the gateway recorded them: it records a reply once it is delivered in full (a streamed one grows by edits first). */
  const recordedReplies = async () =>
    (await api<{ messages: { direction: string; text: string }[] }>("GET", "/api/messages?limit=200")).body.messages.filter((m) => m.direction === "out");

  beforeAll(async () => {
    ({ api } = await setupAdmin(platform.gw));
    ({ inboundUrl: url } = await createChannelWithSetup(api, {
      type: "discord",
      name: "Discord",
      policy: "open",
      config: { applicationId: APP_ID, publicKey: fake.publicKey, botToken: BOT_TOKEN, apiBase: `${platform.fakeUrl}/api/v10` },
    }));
  });

  /** /ask with the fixture's file, its URL on the fake CDN; resolves with the edited answer. */
  async function ask(file: { bytes?: Uint8Array; size: number }) {
    const i = structuredClone(askWithFile);
    i.id = `78600872971521${String(++seq).padStart(4, "0")}`;
    i.token = `media-token-${seq}`;
    const attachment = i.data.resolved.attachments["1167298381412102175"];
    attachment.url = `${platform.fakeUrl}${fake.addCdnFile(i.channel_id, attachment.filename, file.bytes ?? new Uint8Array(0), attachment.content_type)}`;
    attachment.size = file.size;
    const before = (await recordedReplies()).length;
    expect(await fake.deliver(url, i)).toEqual({ status: 200, body: { type: 5 } });
    await waitFor(async () => (await recordedReplies()).length > before, 30_000, `the answer to ${i.id}`);
    const answer = fake.state.messages.find((m) => m.kind === "original" && m.token === i.token)!;
    expect(answer.content).toBe((await recordedReplies())[0]!.text); // the original, edited into the finished reply
    return answer;
  }

  it("shows the attached picture to the model, fetched from the CDN without a token", async () => {
    const answer = await ask({ bytes: PHOTO, size: PHOTO.length });
    expect(answer.content).toMatch(/I see 1 image \(image\/jpeg 48x32\)/);
    const blocks = (anthropic.answered().at(-1)!.body.messages as { content: Block[] }[]).at(-1)!.content;
    expect(blocks[0]).toEqual({ type: "image", source: { type: "base64", media_type: "image/jpeg", data: PHOTO.toString("base64") } });
    expect(blocks.at(-1)!.text).toContain("What is on this receipt?\n[file: receipt.jpg]");
    expect(fake.cdnDownloads.map((d) => d.status)).toEqual([200]);
  });

  it("refuses a picture over the limit from its declared size, with no download and no model call", async () => {
    const calls = anthropic.answered().length;
    const answer = await ask({ size: 8 * 1024 * 1024 });
    expect(answer.content).toBe('I could not take that message: "receipt.jpg" is 8 MB; pictures can be at most 5 MB. Nothing was sent to the assistant.');
    expect(anthropic.answered().length).toBe(calls);
    expect(fake.cdnDownloads.length).toBe(1);
  });
});
