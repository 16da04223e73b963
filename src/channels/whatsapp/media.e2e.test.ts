/**
 * WhatsApp Cloud API media end to end (docs/media.md): signed notifications with the documented
 * image, voice and document payloads; the gateway looks each media id up on the Graph API fake
 * and downloads the URL it answers, both with the access token. The photo reaches the fake
 * Messages API as an image block, the voice message (transcribed by the fake Workers AI) as
 * its transcript; a document over the limit, as the Graph lookup declares it, is refused
 * before its bytes are downloaded, with a clear reply and no model call.
 */
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mediaGateway } from "../../../test/support/media-gateway";
import { setupAdmin, waitFor } from "../../../test/support/gateway-process";
import { platformGateway } from "../../../test/support/platform-gateway";
import { createGraphApiFake } from "./fake-graph-api";
import audioVoice from "./fixtures/audio-voice.json";
import documentMessage from "./fixtures/document.json";
import imageWithCaption from "./fixtures/image-with-caption.json";

const PORT = 9752;
const KEY = "sk-ant-e2e-wa-media-3e1d";
const PHONE_NUMBER_ID = "27681414235104944";
const APP_SECRET = "app-secret-media-0123456789ab";
const ACCESS_TOKEN = "EAAG-media-access-token-0123456789";
const CF_ACCOUNT = "00112233445566778899aabbccddeeff";
const CF_TOKEN = "cf-ai-token-wa-media";
const USER = "16315551234";
const PHOTO = readFileSync(new URL("../telegram/fixtures/photo.jpg", import.meta.url));
const VOICE = readFileSync(new URL("../telegram/fixtures/voice.oga", import.meta.url));
const SPOKEN = "Is the blue jacket still available in medium?";

type Block = { type: string; text?: string; source?: { type: string; media_type: string; data: string } };

describe("WhatsApp Cloud API media, end to end", () => {
  const graph = createGraphApiFake({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
  let inboundUrl = "";
  let seq = 0;

  const { platform, speech, model } = mediaGateway({
    port: PORT,
    apiKey: KEY,
    cloudflare: { accountId: CF_ACCOUNT, apiToken: CF_TOKEN },
    platform: (request) => graph.handle(request),
  });

  beforeAll(async () => {
    const { api } = await setupAdmin(platform.gw);
    const created = await api<{ channel: { inboundUrl: string } }>("POST", "/api/channels", {
      type: "whatsapp",
      name: "Shop",
      policy: "open",
      config: { phoneNumberId: PHONE_NUMBER_ID, accessToken: ACCESS_TOKEN, appSecret: APP_SECRET, apiBase: `${platform.fakeUrl}/v21.0` },
    });
    expect(created.status).toBe(201);
    inboundUrl = created.body.channel.inboundUrl;
  });

  /** Posts the fixture, signed as Meta signs it, with a fresh message id and timestamp; resolves with the reply. */
  async function send(fixture: typeof imageWithCaption | typeof audioVoice | typeof documentMessage) {
    const payload = structuredClone(fixture) as typeof imageWithCaption;
    const message = payload.entry[0]!.changes[0]!.value.messages[0]!;
    message.id = `wamid.media${++seq}`;
    message.timestamp = String(Math.floor(Date.now() / 1000));
    graph.userWrote(USER);
    const sentBefore = graph.sent.length;
    const body = JSON.stringify(payload);
    const signature = `sha256=${createHmac("sha256", APP_SECRET).update(body).digest("hex")}`;
    const res = await fetch(inboundUrl, { method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": signature }, body });
    expect(res.status).toBe(200);
    await waitFor(async () => graph.sent.length > sentBefore, 30_000, `a reply to ${message.id}`);
    return graph.sent.at(-1)!;
  }
  const lastUserBlocks = () => (model().answered().at(-1)!.body.messages as { content: Block[] }[]).at(-1)!.content;

  it("shows a photo to the model as an image block, downloaded with the access token", async () => {
    graph.addMedia(imageWithCaption.entry[0]!.changes[0]!.value.messages[0]!.image.id, PHOTO, "image/jpeg");
    const reply = await send(imageWithCaption);
    expect(reply.body).toMatch(/I see 1 image \(image\/jpeg 48x32\); you said "[^"]*This is a caption\n\[photo\]"/);
    expect(lastUserBlocks()[0]).toEqual({ type: "image", source: { type: "base64", media_type: "image/jpeg", data: PHOTO.toString("base64") } });
    expect(graph.downloads).toEqual([{ id: "2754859441498128", status: 200 }]);
  });

  it("answers a voice message from its transcript", async () => {
    graph.addMedia(audioVoice.entry[0]!.changes[0]!.value.messages[0]!.audio.id, VOICE, "audio/ogg; codecs=opus");
    speech.addAudio(VOICE, SPOKEN, 3);
    const reply = await send(audioVoice);
    expect(reply.body).toContain(SPOKEN);
    const blocks = lastUserBlocks();
    expect(blocks.map((b) => b.type)).toEqual(["text"]);
    expect(blocks[0]!.text).toContain(`[voice message]\n[transcript of the voice message, 3 s]: ${SPOKEN}`);
  });

  it("refuses a document over the limit from the size the Graph API declares, before downloading it", async () => {
    graph.addMedia(documentMessage.entry[0]!.changes[0]!.value.messages[0]!.document.id, new Uint8Array(33 * 1024 * 1024 + 1), "application/pdf");
    const calls = model().answered().length;
    const downloads = graph.downloads.length;
    const reply = await send(documentMessage);
    expect(reply.body).toBe('I could not take that message: "annual-report.pdf" is 33 MB; PDFs can be at most 32 MB. Nothing was sent to the assistant.');
    expect(model().answered().length).toBe(calls);
    expect(graph.downloads.length).toBe(downloads);
  });
});
