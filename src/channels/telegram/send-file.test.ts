/** Telegram uploads against the fake Bot API: the method by type, the bot upload limits, errors as SendResults. */
import { describe, expect, it } from "vitest";
import { createTelegramFake, tooManyRequests } from "./fake-bot-api";
import { sendTelegramFile } from "./send-file";

const TOKEN = "123456:AAsendfiletest";
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const GIF = new TextEncoder().encode("GIF89a\x01\x00\x01\x00");

function setup() {
  const fake = createTelegramFake({ token: TOKEN });
  const target = { botToken: TOKEN, apiBase: "https://tg.fake", chatId: "4242" };
  const send = (name: string, mediaType: string, bytes: Uint8Array<ArrayBuffer>, replyTo?: string) =>
    sendTelegramFile(
      { ...target, replyToMessageId: replyTo },
      { recipient: "4242", text: "", deliveryId: "t:0001", file: { name, mediaType, bytes } },
      (input, init) => fake.handle(new Request(input, init)),
    );
  return { fake, send };
}

describe("sendTelegramFile", () => {
  it("sends PNG and JPEG with sendPhoto, a GIF and other files with sendDocument, quoting the message answered", async () => {
    const { fake, send } = setup();
    expect(await send("chart.png", "image/png", PNG, "99")).toMatchObject({ ok: true, platformMessageId: expect.any(String) });
    expect(await send("wave.gif", "image/gif", GIF)).toMatchObject({ ok: true });
    expect(fake.state.files.map((f) => [f.method, f.part, f.filename, f.bytes.length])).toEqual([
      ["sendPhoto", "photo", "chart.png", PNG.length],
      ["sendDocument", "document", "wave.gif", GIF.length],
    ]);
    expect(fake.state.files[0]?.reply_parameters).toEqual({ message_id: 99, allow_sending_without_reply: true });
  });

  it("retries after Telegram's retry_after and gives up on a chat that does not exist", async () => {
    const { fake, send } = setup();
    fake.failNext("sendPhoto", tooManyRequests(3));
    expect(await send("chart.png", "image/png", PNG)).toEqual({
      ok: false,
      retryable: true,
      retryAfterMs: 3000,
      error: "Telegram sendPhoto failed: 429 Too Many Requests: retry after 3",
    });
    fake.failNext("sendDocument", { status: 400, body: { ok: false, error_code: 400, description: "Bad Request: chat not found" } });
    expect(await send("a.csv", "text/plain", new TextEncoder().encode("a,b\n"))).toMatchObject({ ok: false, retryable: false });
  });

  it("refuses a file over the 50 MB bot limit without sending it", async () => {
    const { fake, send } = setup();
    expect(await send("huge.bin", "application/octet-stream", new Uint8Array(50 * 1024 * 1024 + 1))).toMatchObject({ ok: false, retryable: false });
    expect(fake.state.calls).toEqual([]);
  });
});

describe("the fake's upload checks", () => {
  const post = (fake: ReturnType<typeof createTelegramFake>, method: string, form: FormData) =>
    fake.handle(new Request(`https://tg.fake/bot${TOKEN}/${method}`, { method: "POST", body: form }));

  it("takes a file through attach://, and refuses a photo that is not a picture or a missing file part", async () => {
    const fake = createTelegramFake({ token: TOKEN });
    const byAttach = new FormData();
    byAttach.set("chat_id", "1");
    byAttach.set("photo", "attach://pic");
    byAttach.set("pic", new File([PNG], "pic.png"));
    expect((await post(fake, "sendPhoto", byAttach)).status).toBe(200);
    const script = new FormData();
    script.set("chat_id", "1");
    script.set("photo", new File([new TextEncoder().encode("#!/bin/sh")], "fake.png"));
    expect(await (await post(fake, "sendPhoto", script)).json()).toMatchObject({ ok: false, description: "Bad Request: IMAGE_PROCESS_FAILED" });
    const none = new FormData();
    none.set("chat_id", "1");
    expect(await (await post(fake, "sendDocument", none)).json()).toMatchObject({ ok: false, error_code: 400 });
  });

  it("answers 413 for a document over 50 MB and refuses a photo over 10 MB", async () => {
    const fake = createTelegramFake({ token: TOKEN });
    const big = new FormData();
    big.set("chat_id", "1");
    big.set("document", new File([new Uint8Array(50 * 1024 * 1024 + 1)], "big.bin"));
    const res = await post(fake, "sendDocument", big);
    expect(res.status).toBe(413);
    const photo = new FormData();
    photo.set("chat_id", "1");
    const bytes = new Uint8Array(10 * 1024 * 1024 + 1);
    bytes.set(PNG);
    photo.set("photo", new File([bytes], "big.png"));
    expect(await (await post(fake, "sendPhoto", photo)).json()).toMatchObject({ ok: false, description: "Bad Request: PHOTO_SAVE_FILE_INVALID" });
  });
});
