/**
 * Telegram photos fetched for the agent: the adapter's fetchAttachment calls getFile on the
 * fake Bot API through grammY, downloads `/file/bot<token>/<file_path>`, respects the size cap
 * before downloading, and never puts the bot token in what it returns.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { telegramAdapter, type TelegramConfig } from ".";
import { normalizeUpdate } from "./update";
import type { Update } from "grammy/types";
import { createTelegramFake } from "./fake-bot-api";
import photoCaption from "./fixtures/photo-caption.json";

const TOKEN = "123456789:AAHphotoTestTokenForLoopgate0123456";
const API_BASE = "https://telegram.fake";
const PHOTO = new Uint8Array(readFileSync(new URL("./fixtures/photo.jpg", import.meta.url)));

function setup() {
  const fake = createTelegramFake({ token: TOKEN });
  const config: TelegramConfig = { botToken: TOKEN, secretToken: "s".repeat(32), apiBase: API_BASE };
  const ctx = {
    channelId: "ch_tg",
    config,
    publicUrl: "",
    now: Date.now(),
    fetch: (input: RequestInfo | URL, init?: RequestInit) => fake.handle(new Request(input, init)),
  };
  const fetchAttachment = (url: string, maxBytes = 5 * 1024 * 1024) => telegramAdapter.fetchAttachment!({ type: "image/jpeg", url }, ctx, maxBytes);
  return { fake, fetchAttachment };
}

describe("a Telegram photo for the agent", () => {
  it("is the largest size of the update, fetched with getFile and the file path", async () => {
    const { fake, fetchAttachment } = setup();
    const normalized = normalizeUpdate(photoCaption as unknown as Update, { id: 123456789, username: "loopgate_test_bot" });
    if (normalized.kind !== "message") throw new Error("photo update was ignored");
    const [attachment] = normalized.message.attachments!;
    expect(attachment).toEqual({ type: "image/jpeg", url: "telegram-file:AgACAgQAAxkBAAIBZ2Large", size: 112873, name: "What is in this picture?" });
    fake.addFile("AgACAgQAAxkBAAIBZ2Large", PHOTO, "photos/file_7.jpg");

    const fetched = await fetchAttachment(attachment!.url!);
    expect(fetched).toEqual({ ok: true, bytes: PHOTO, mediaType: "image/jpeg" });
    expect(fake.state.calls.map((c) => [c.method, c.params.file_id])).toEqual([["getFile", "AgACAgQAAxkBAAIBZ2Large"]]);
    expect(fake.state.downloads).toEqual([{ path: "photos/file_7.jpg", status: 200 }]);
  });

  it("over the cap is not downloaded at all", async () => {
    const { fake, fetchAttachment } = setup();
    fake.addFile("big", PHOTO);
    const fetched = await fetchAttachment("telegram-file:big", PHOTO.byteLength - 1);
    expect(fetched).toMatchObject({ ok: false, reason: "too_large" });
    expect(fake.state.downloads).toEqual([]);
  });

  it("that Telegram no longer has fails with Telegram's reason and without the token", async () => {
    const { fetchAttachment } = setup();
    const fetched = await fetchAttachment("telegram-file:gone");
    expect(fetched).toEqual({ ok: false, reason: "unavailable", error: "Telegram getFile failed: 400 Bad Request: invalid file_id" });
    expect(JSON.stringify(fetched)).not.toContain(TOKEN.split(":")[1]!);
  });

  it("whose download link has expired reports the status, not the URL", async () => {
    const fake = createTelegramFake({ token: TOKEN });
    fake.addFile("moved", PHOTO, "photos/file_1.jpg");
    // getFile still answers, but the path no longer downloads.
    const fetchFn = async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      return new URL(request.url).pathname.startsWith("/file/") ? new Response("gone", { status: 404 }) : fake.handle(request);
    };
    const config: TelegramConfig = { botToken: TOKEN, secretToken: "s".repeat(32), apiBase: API_BASE };
    const fetched = await telegramAdapter.fetchAttachment!(
      { type: "image/jpeg", url: "telegram-file:moved" },
      { channelId: "ch_tg", config, publicUrl: "", now: 0, fetch: fetchFn },
      1024 * 1024,
    );
    expect(fetched).toEqual({ ok: false, reason: "unavailable", error: "Telegram file download failed: HTTP 404" });
  });

  it("is only what the adapter produced: other URLs are not fetched", async () => {
    const { fake, fetchAttachment } = setup();
    expect(await fetchAttachment("https://example.com/not-telegram.jpg")).toMatchObject({ ok: false, reason: "unavailable" });
    expect(fake.state.calls).toEqual([]);
  });
});
