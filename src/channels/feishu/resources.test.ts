/**
 * Feishu/Lark files, unit layer: the documented image, file, audio, media and post events
 * become the right attachments and markers; downloads go to the message resource API with the
 * tenant token and `type`, against the fake Open API, which refuses a key of another message or
 * the wrong `type` as Feishu does.
 */
import { describe, expect, it } from "vitest";
import { messageEventSchema, normalizeMessageEvent } from "./event";
import { createLarkFake } from "./fake-open-api";
import { fetchLarkResource, typeFromName } from "./resources";
import audio from "./fixtures/message-receive-audio.json";
import file from "./fixtures/message-receive-file.json";
import image from "./fixtures/message-receive-image.json";
import media from "./fixtures/message-receive-media.json";
import post from "./fixtures/message-receive-post-image.json";

const normalize = (fixture: { header: { event_id: string }; event: unknown }) => {
  const out = normalizeMessageEvent(fixture.header.event_id, messageEventSchema.parse(fixture.event), {});
  if (out.kind !== "message") throw new Error(`not a message: ${JSON.stringify(out)}`);
  return out.message;
};
const keyOf = (fixture: { event: { message: { content: string } } }, field: string) =>
  (JSON.parse(fixture.event.message.content) as Record<string, string>)[field]!;

describe("Feishu message files", () => {
  it("names each documented message type and refers to its resource", () => {
    const id = (f: { event: { message: { message_id: string } } }) => f.event.message.message_id;
    expect(normalize(image)).toMatchObject({
      text: "[photo]",
      attachments: [{ type: "image/jpeg", url: `feishu-resource:image/${id(image)}/${keyOf(image, "image_key")}` }],
    });
    expect(normalize(file)).toMatchObject({
      text: "[file: report.pdf]",
      attachments: [{ type: "application/pdf", name: "report.pdf", url: `feishu-resource:file/${id(file)}/${keyOf(file, "file_key")}` }],
    });
    expect(normalize(audio)).toMatchObject({
      text: "[voice message, 4 s]",
      attachments: [{ type: "audio/opus", voice: true, durationSeconds: 4, url: `feishu-resource:file/${id(audio)}/${keyOf(audio, "file_key")}` }],
    });
    // A video is named, never downloaded: no reference to fetch.
    expect(normalize(media)).toMatchObject({ text: "[video: 测试视频.mp4]", attachments: [{ type: "video/mp4", name: "测试视频.mp4" }] });
    expect(normalize(media).attachments![0]!.url).toBeUndefined();
    expect(normalize(post)).toMatchObject({
      text: "Floor plan\nWhat does this room measure?",
      attachments: [{ type: "image/jpeg", url: expect.stringMatching(/^feishu-resource:image\/om_\w+\/img_v2_/) }],
    });
  });

  it("takes no key that could leave the resource path, and types files by their name", () => {
    const bad = structuredClone(file);
    bad.event.message.content = JSON.stringify({ file_key: "../../auth/v3/x", file_name: "a.pdf" });
    expect(normalize(bad)).toMatchObject({ text: "[file: a.pdf]" });
    expect(normalize(bad).attachments).toBeUndefined();
    expect(typeFromName("Notes.TXT")).toBe("text/plain");
    expect(typeFromName("archive")).toBe("application/octet-stream");
  });
});

describe("Feishu resource download", () => {
  const options = { appId: "cli_9f5343c580712544", appSecret: "unit-feishu-app-secret-00", verificationToken: "unit-token-000" };
  const fake = createLarkFake(options);
  const client = {
    appId: options.appId,
    appSecret: options.appSecret,
    base: "https://open.feishu.test",
    fetch: (async (i: RequestInfo | URL, init?: RequestInit) => fake.handle(new Request(i, init))) as typeof fetch,
    now: Date.now(),
  };
  const pdf = new TextEncoder().encode("%PDF-1.4\n%unit\n");

  it("downloads with the tenant token and the resource's type; the fake refuses the wrong type", async () => {
    const message = normalize(file);
    fake.addResource(file.event.message.message_id, keyOf(file, "file_key"), { kind: "file", bytes: pdf, type: "application/pdf" });
    const got = await fetchLarkResource(client, message.attachments![0]!, 1024);
    expect(got).toEqual({ ok: true, bytes: pdf, mediaType: "application/pdf" });
    expect(fake.state.downloads.at(-1)).toMatchObject({ type: "file", status: 200 });

    const asImage = { ...message.attachments![0]!, url: message.attachments![0]!.url!.replace(":file/", ":image/") };
    expect(await fetchLarkResource(client, asImage, 1024)).toMatchObject({ ok: false, reason: "unavailable", error: "Feishu file download failed: HTTP 400" });
  });

  it("stops at the declared length before reading an oversized file, and refuses foreign references", async () => {
    const message = normalize(file);
    expect(await fetchLarkResource(client, message.attachments![0]!, 8)).toMatchObject({ ok: false, reason: "too_large", size: pdf.length });
    expect(await fetchLarkResource(client, { type: "image/png", url: "https://evil.example/x.png" }, 1024)).toMatchObject({ ok: false, reason: "unavailable" });
  });
});
