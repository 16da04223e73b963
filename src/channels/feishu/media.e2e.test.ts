/**
 * Feishu/Lark media end to end (docs/media.md): the documented image, audio, file and post
 * events, encrypted and signed by the fake Open API; the gateway downloads each message resource
 * (`GET /open-apis/im/v1/messages/{id}/resources/{key}?type=image|file`) with the tenant token.
 * A photo reaches the fake Messages API as an image block, a voice message (fake Workers AI) as
 * its transcript, a PDF as a document block, a post's picture beside its text, and a picture
 * whose download declares more than the limit gets the clear reply with no model call.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { mediaGateway } from "../../../test/support/media-gateway";
import { setupAdmin, waitFor } from "../../../test/support/gateway-process";
import { createChannelWithSetup } from "../../../test/support/platform-gateway";
import { createLarkFake } from "./fake-open-api";
import audio from "./fixtures/message-receive-audio.json";
import file from "./fixtures/message-receive-file.json";
import image from "./fixtures/message-receive-image.json";
import post from "./fixtures/message-receive-post-image.json";

const PORT = 10450;
const KEY = "sk-ant-e2e-feishu-media-3a1f";
const APP_SECRET = "e2e-feishu-media-app-secret-00";
const ENCRYPT_KEY = "e2e-feishu-media-encrypt-key";
const CF_ACCOUNT = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const CF_TOKEN = "cf-ai-token-feishu-media";
const PHOTO = readFileSync(new URL("../telegram/fixtures/photo.jpg", import.meta.url));
const PDF = readFileSync(new URL("../telegram/fixtures/document.pdf", import.meta.url));
const VOICE = readFileSync(new URL("../telegram/fixtures/voice.oga", import.meta.url));
const SPOKEN = "Book the small meeting room for Thursday afternoon.";

type Block = { type: string; text?: string; title?: string; source?: { type: string; media_type: string; data: string } };
type Fixture = typeof image;

describe("Feishu media, end to end", () => {
  const lark = createLarkFake({ appId: image.header.app_id, appSecret: APP_SECRET, verificationToken: image.header.token, encryptKey: ENCRYPT_KEY });
  let url = "";
  let api: Awaited<ReturnType<typeof setupAdmin>>["api"];
  let n = 0;

  const { platform, speech, model } = mediaGateway({
    port: PORT,
    apiKey: KEY,
    cloudflare: { accountId: CF_ACCOUNT, apiToken: CF_TOKEN },
    platform: (request) => lark.handle(request),
  });

  beforeAll(async () => {
    ({ api } = await setupAdmin(platform.gw));
    ({ inboundUrl: url } = await createChannelWithSetup(api, {
      type: "feishu",
      name: "Feishu",
      policy: "open",
      config: { appId: image.header.app_id, appSecret: APP_SECRET, verificationToken: image.header.token, encryptKey: ENCRYPT_KEY, apiBase: platform.fakeUrl },
    }));
  });

  /** Replies as the gateway recorded them, newest first, once delivered in full. */
  const recordedReplies = async () =>
    (await api<{ messages: { direction: string; text: string }[] }>("GET", "/api/messages?limit=200")).body.messages.filter((m) => m.direction === "out");

  /** The fixture under a fresh event id and message id, with `resource` served for its key; delivered encrypted and signed. */
  async function send(fixture: Fixture, resource?: { key: string; kind: "image" | "file"; bytes: Uint8Array; type: string }) {
    const event = structuredClone(fixture);
    event.header.event_id = `e2emedia${String(++n).padStart(24, "0")}`;
    event.event.message.message_id = `om_e2emedia${String(n).padStart(22, "0")}`;
    if (resource) lark.addResource(event.event.message.message_id, resource.key, resource);
    const before = (await recordedReplies()).length;
    expect((await lark.deliver(url, event)).status).toBe(200);
    await waitFor(async () => (await recordedReplies()).length > before, 30_000, `a reply to message ${n}`);
    return { reply: (await recordedReplies())[0]!.text, messageId: event.event.message.message_id };
  }
  const keyOf = (fixture: Fixture, field: string) => (JSON.parse(fixture.event.message.content) as Record<string, string>)[field]!;
  const lastUserBlocks = () => (model().answered().at(-1)!.body.messages as { content: Block[] }[]).at(-1)!.content;

  it("shows a photo to the model, downloaded as an image resource with the tenant token", async () => {
    const { reply, messageId } = await send(image, { key: keyOf(image, "image_key"), kind: "image", bytes: PHOTO, type: "image/jpeg" });
    expect(reply).toMatch(/I see 1 image \(image\/jpeg 48x32\)/);
    expect(lastUserBlocks()[0]).toEqual({ type: "image", source: { type: "base64", media_type: "image/jpeg", data: PHOTO.toString("base64") } });
    expect(lastUserBlocks().at(-1)!.text).toContain("[photo]");
    expect(lark.state.downloads.at(-1)).toEqual({ messageId, key: keyOf(image, "image_key"), type: "image", status: 200 });
  });

  it("answers a voice message from its transcript", async () => {
    speech.addAudio(VOICE, SPOKEN, 4);
    const { reply } = await send(audio as unknown as Fixture, {
      key: keyOf(audio as unknown as Fixture, "file_key"),
      kind: "file",
      bytes: VOICE,
      type: "audio/opus",
    });
    expect(reply).toContain(SPOKEN);
    expect(lastUserBlocks().map((b) => b.type)).toEqual(["text"]);
    expect(lastUserBlocks()[0]!.text).toContain(`[voice message, 4 s]\n[transcript of the voice message, 4 s]: ${SPOKEN}`);
    expect(lark.state.downloads.at(-1)).toMatchObject({ type: "file", status: 200 });
  });

  it("reads a PDF to the model as a document block", async () => {
    const { reply } = await send(file as unknown as Fixture, {
      key: keyOf(file as unknown as Fixture, "file_key"),
      kind: "file",
      bytes: PDF,
      type: "application/pdf",
    });
    expect(reply).toContain('document application/pdf "report.pdf"');
    expect(lastUserBlocks()[0]).toEqual({
      type: "document",
      source: { type: "base64", media_type: "application/pdf", data: PDF.toString("base64") },
      title: "report.pdf",
    });
  });

  it("shows the picture embedded in a post beside the post's text", async () => {
    const { reply } = await send(post as unknown as Fixture, {
      key: "img_v2_8c4e1b5a-2d7f-4c3e-9b6a-1f0e2d3c4b5g",
      kind: "image",
      bytes: PHOTO,
      type: "image/jpeg",
    });
    expect(reply).toMatch(/I see 1 image/);
    expect(lastUserBlocks().at(-1)!.text).toContain("Floor plan\nWhat does this room measure?");
  });

  it("refuses a picture whose download is over the limit, before reading it, with no model call", async () => {
    const calls = model().answered().length;
    const big = new Uint8Array(6 * 1024 * 1024);
    big.set(PHOTO.subarray(0, 16));
    const { reply } = await send(image, { key: keyOf(image, "image_key"), kind: "image", bytes: big, type: "image/jpeg" });
    expect(reply).toBe("I could not take that message: The picture is 6 MB; pictures can be at most 5 MB. Nothing was sent to the assistant.");
    expect(model().answered().length).toBe(calls);
  });
});
