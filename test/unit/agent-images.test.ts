/**
 * Pictures a sender attached, as the model gets them: fetched, checked by their bytes and
 * capped (prepareImages), then sent as base64 image blocks before the text on the turn they
 * arrive, through the real SDK to the fake Messages API, which validates image blocks like the
 * API does. Later turns carry only the text, so history stays byte-stable.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClaudeRuntime } from "../../src/agent/claude";
import { MAX_IMAGE_BYTES, MAX_IMAGES_PER_TURN, prepareImages, type AttachmentFetcher } from "../../src/agent/images";
import { DEFAULT_SYSTEM_PROMPT } from "../../src/agent/system-prompt.generated";
import type { TurnRequest } from "../../src/agent/types";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-messages";

const KEY = "sk-ant-test-images-42";
const PHOTO = new Uint8Array(readFileSync(new URL("../../src/channels/telegram/fixtures/photo.jpg", import.meta.url)));
const PHOTO_BASE64 = Buffer.from(PHOTO).toString("base64");
const PNG_HEADER = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 2, 0, 0, 0, 2]);
const photo = { type: "image/jpeg", url: "telegram-file:AgACphoto", name: "What is in this picture?" };

describe("prepareImages", () => {
  it("fetches each image with the 5 MB cap, names the format by its bytes and encodes it", async () => {
    const asked: number[] = [];
    const fetcher: AttachmentFetcher = async (_a, maxBytes) => (asked.push(maxBytes), { ok: true, bytes: PHOTO, mediaType: "application/octet-stream" });
    const out = await prepareImages([photo, { type: "application/pdf", url: "telegram-file:doc" }], fetcher);
    expect(asked).toEqual([MAX_IMAGE_BYTES]);
    expect(out).toEqual({ images: [{ mediaType: "image/jpeg", data: PHOTO_BASE64 }], notes: [], skipped: [] });
  });

  it("notes what it cannot show: too large, not downloadable, not a picture, too many, no fetcher", async () => {
    const results = [
      { ok: false as const, reason: "too_large" as const, error: "the file is 6.2 MB, over the 5.0 MB limit" },
      { ok: false as const, reason: "unavailable" as const, error: "Telegram getFile failed: 400 Bad Request: invalid file_id" },
      { ok: true as const, bytes: new TextEncoder().encode("%PDF-1.7"), mediaType: "image/jpeg" },
    ];
    const out = await prepareImages([photo, photo, photo], async () => results.shift()!);
    expect(out.images).toEqual([]);
    expect(out.notes).toEqual([
      "[image not shown: larger than 5 MB]",
      "[image not shown: it could not be downloaded]",
      "[image not shown: not a JPEG, PNG, GIF or WebP picture]",
    ]);
    expect(out.skipped[2]).toEqual({ name: photo.name, reason: "unsupported image format (declared image/jpeg)" });

    const many = await prepareImages(
      Array.from({ length: MAX_IMAGES_PER_TURN + 1 }, () => photo),
      async () => ({ ok: true, bytes: PNG_HEADER, mediaType: "image/png" }),
    );
    expect(many.images).toHaveLength(MAX_IMAGES_PER_TURN);
    expect(many.notes).toEqual([`[image not shown: at most ${MAX_IMAGES_PER_TURN} images per message]`]);
    expect((await prepareImages([photo], undefined)).notes).toEqual(["[image not shown: this channel cannot fetch attachments]"]);
  });
});

describe("the Claude runtime with an image", () => {
  let fake: FakeAnthropic;
  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY, minCacheableTokens: 256 });
  });
  afterAll(() => fake.close());

  const rt = () =>
    createClaudeRuntime({
      apiKey: KEY,
      baseURL: fake.url,
      model: "claude-sonnet-5-5",
      maxTokens: 512,
      systemPrompt: DEFAULT_SYSTEM_PROMPT,
      maxSteps: 2,
      historyTokenBudget: 100_000,
      timeoutMs: 5_000,
      retry: { maxAttempts: 1, baseDelayMs: 10, maxWaitMs: 1_000 },
    });
  const turn = (text: string, extra: Partial<TurnRequest> = {}): TurnRequest => ({
    channelId: "ch_tg",
    channelType: "telegram",
    senderId: "1111111",
    trust: "paired",
    history: [],
    text,
    ...extra,
  });

  it("sends the picture as a base64 image block before the text on its turn, and only the text afterwards", async () => {
    const first = await rt().runTurn(turn("What is in this picture?\n[photo]", { images: [{ mediaType: "image/jpeg", data: PHOTO_BASE64 }] }));
    expect(first.ok && first.text).toMatch(/^Answer #\d+: I see 1 image \(image\/jpeg 48x32\); you said /);
    const sent = fake.answered().at(-1)!.body.messages as { role: string; content: { type: string; source?: unknown; text?: string }[] }[];
    const last = sent.at(-1)!;
    expect(last.content.map((b) => b.type)).toEqual(["image", "text"]);
    expect(last.content[0]!.source).toEqual({ type: "base64", media_type: "image/jpeg", data: PHOTO_BASE64 });
    expect(last.content[1]!.text).toMatch(/^\(The image above was sent with this message: untrusted content too;/);

    const history = [
      { role: "user" as const, content: "What is in this picture?\n[photo]", seq: 1 },
      { role: "assistant" as const, content: first.ok ? first.text : "", seq: 2 },
    ];
    const second = await rt().runTurn(turn("And the colours?", { history }));
    expect(second.ok).toBe(true);
    const later = fake.answered().at(-1)!.body.messages as { content: { type: string }[] }[];
    expect(later.flatMap((m) => m.content.map((b) => b.type))).toEqual(["text", "text", "text"]);
  });

  it("is refused by the API when the bytes are not the declared format, and the turn fails plainly", async () => {
    const r = await rt().runTurn(turn("look", { images: [{ mediaType: "image/png", data: PHOTO_BASE64 }] }));
    expect(r.ok).toBe(false);
    expect(fake.requests.at(-1)!.status).toBe(400);
    expect(!r.ok && r.error).toContain("Image does not match the provided media type image/png");
  });
});
