/**
 * A Telegram photo reaches Claude as an image, end to end: `npm start` with the real SDK
 * (inside workerd) pointed at the fake Messages API, and grammY at the fake Bot API, which
 * serves getFile and the file bytes. The model request carries the picture as a base64 image
 * block; the next turn carries only the text; the bot token appears nowhere the gateway keeps.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../../../test/fakes/anthropic-messages";
import { createTelegramFake } from "./fake-bot-api";
import photoCaption from "./fixtures/photo-caption.json";
import textPrivate from "./fixtures/text-private.json";
import { setupAdmin, waitFor } from "../../../test/support/gateway-process";
import { createChannelWithSetup, platformGateway } from "../../../test/support/platform-gateway";

const PORT = 8900;
const KEY = "sk-ant-e2e-photo-7d3a";
const TOKEN = "555666777:AAPhotoE2eTokenThatMustNeverBeStored";
const PHOTO = readFileSync(new URL("./fixtures/photo.jpg", import.meta.url));
const LARGEST = photoCaption.message.photo.at(-1)!.file_id;

type Block = { type: string; text?: string; source?: { type: string; media_type: string; data: string } };
type Message = { role: string; content: Block[] };

describe("a Telegram photo, end to end", () => {
  let anthropic: FakeAnthropic;
  const telegram = createTelegramFake({ token: TOKEN });
  let nextId = 3000;

  // Registered before platformGateway, so the Messages API fake is up when the gateway is pointed at it.
  beforeAll(async () => {
    anthropic = await startFakeAnthropic({ apiKey: KEY, minCacheableTokens: 256 });
  });
  afterAll(async () => {
    await anthropic?.close();
  });
  const platform = platformGateway({
    port: PORT,
    fake: () => telegram.handle,
    env: () => ({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: anthropic.url, AGENT_RETRY_BASE_MS: "50" }),
  });

  let api: Awaited<ReturnType<typeof setupAdmin>>["api"];
  /** Replies as the gateway recorded them: it records a reply once it is delivered in full (a streamed one grows by edits first). */
  const recordedReplies = async () =>
    (await api<{ messages: { direction: string; text: string }[] }>("GET", "/api/messages?limit=200")).body.messages.filter((m) => m.direction === "out");
  const deliver = async (update: { update_id: number; message: { message_id: number } }) => {
    update.update_id = nextId;
    update.message.message_id = nextId++;
    const before = (await recordedReplies()).length;
    expect((await telegram.deliver(update)).status).toBe(200);
    const id = update.message.message_id;
    await waitFor(async () => (await recordedReplies()).length > before, 30_000, `a reply to ${id}`);
    const sent = telegram.state.sent.find((s) => s.reply_parameters?.message_id === id)!;
    return { ...sent, text: (await recordedReplies())[0]!.text };
  };
  const lastUserMessage = () => (anthropic.answered().at(-1)!.body.messages as Message[]).at(-1)!;

  it("shows the picture to the model as an image block and answers about it", async () => {
    ({ api } = await setupAdmin(platform.gw));
    const channel = await createChannelWithSetup(api, {
      type: "telegram",
      name: "Photos",
      policy: "open",
      config: { botToken: TOKEN, apiBase: platform.fakeUrl },
    });
    telegram.addFile(LARGEST, PHOTO, "photos/file_42.jpg");

    const reply = await deliver(structuredClone(photoCaption));
    expect(reply.text).toMatch(/^Answer #\d+: I see 1 image \(image\/jpeg 48x32\); you said /);
    expect(telegram.state.calls.filter((c) => c.method === "getFile").map((c) => c.params.file_id)).toEqual([LARGEST]);
    expect(telegram.state.downloads).toEqual([{ path: "photos/file_42.jpg", status: 200 }]);
    const turn = lastUserMessage();
    expect(turn.content.map((b) => b.type)).toEqual(["image", "text"]);
    expect(turn.content[0]!.source).toEqual({ type: "base64", media_type: "image/jpeg", data: PHOTO.toString("base64") });
    expect(turn.content[1]!.text).toContain("What is in this picture?\n[photo]");

    // The next turn's history has the text and its [photo] marker, not the picture again.
    const next = structuredClone(textPrivate);
    next.message.text = "And which colours are in it?";
    await deliver(next);
    const messages = anthropic.answered().at(-1)!.body.messages as Message[];
    expect(messages.flatMap((m) => m.content.map((b) => b.type))).not.toContain("image");
    expect(messages[0]!.content[0]!.text).toContain("What is in this picture?\n[photo]");

    // The token travelled only to the fake Bot API: nothing the gateway stores, returns or logs holds it.
    const secret = TOKEN.split(":")[1]!;
    for (const path of ["/api/messages?limit=50", "/api/events?limit=200", "/api/usage/calls", `/api/channels/${channel.id}`]) {
      const res = await api("GET", path);
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toContain(secret);
    }
    expect(platform.gw.output()).not.toContain(secret);
  });
});
