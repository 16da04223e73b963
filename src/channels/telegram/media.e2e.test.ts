/**
 * Telegram media end to end (docs/media.md): `npm start` with the real SDK pointed at the fake
 * Messages API, grammY at the fake Bot API (getFile, then the file under the bot token), and
 * voice notes at the fake Workers AI REST endpoint. A voice note reaches the model as its
 * transcript, a PDF as a document block, a photo as an image block, all kept in the local R2
 * bucket and served back to the dashboard; a document over the limit is refused from its
 * declared size, before any download, with a clear reply and no model call; usage shows the
 * bytes and the transcription seconds.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mediaGateway } from "../../../test/support/media-gateway";
import { setupAdmin, waitFor } from "../../../test/support/gateway-process";
import { createChannelWithSetup } from "../../../test/support/platform-gateway";
import { createTelegramFake } from "./fake-bot-api";
import documentUpdate from "./fixtures/document.json";
import photoCaption from "./fixtures/photo-caption.json";
import voiceUpdate from "./fixtures/voice.json";

const PORT = 9750;
const KEY = "sk-ant-e2e-media-51c9";
const TOKEN = "555666778:AAMediaE2eTokenThatMustNeverBeStored";
const CF_ACCOUNT = "0123456789abcdef0123456789abcdef";
const CF_TOKEN = "cf-ai-token-e2e-media-4411";
const PHOTO = readFileSync(new URL("./fixtures/photo.jpg", import.meta.url));
const PDF = readFileSync(new URL("./fixtures/document.pdf", import.meta.url));
const VOICE = readFileSync(new URL("./fixtures/voice.oga", import.meta.url));

type Block = { type: string; text?: string; title?: string; source?: { type: string; media_type: string; data: string } };
type Message = { role: string; content: Block[] };
type MediaView = {
  id: string;
  kind: string;
  status: string;
  mediaType: string;
  name: string | null;
  sizeBytes: number;
  transcript: string | null;
  available: boolean;
};

describe("Telegram media, end to end", () => {
  const telegram = createTelegramFake({ token: TOKEN });
  let nextId = 5000;

  const { platform, speech, model } = mediaGateway({
    port: PORT,
    apiKey: KEY,
    cloudflare: { accountId: CF_ACCOUNT, apiToken: CF_TOKEN },
    platform: (request) => telegram.handle(request),
  });

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
  const lastUserMessage = () => (model().answered().at(-1)!.body.messages as Message[]).at(-1)!;
  let api: Awaited<ReturnType<typeof setupAdmin>>["api"];
  let token = "";
  const inboundMedia = async (text: string) => {
    const res = await api<{ messages: { direction: string; text: string; media: MediaView[] }[] }>("GET", "/api/messages?limit=50");
    return res.body.messages.find((m) => m.direction === "in" && m.text.includes(text))?.media ?? [];
  };

  beforeAll(async () => {
    ({ api, token } = await setupAdmin(platform.gw));
    await createChannelWithSetup(api, { type: "telegram", name: "Media", policy: "open", config: { botToken: TOKEN, apiBase: platform.fakeUrl } });
  });

  it("answers a voice note from its transcript, and keeps the audio and the transcript", async () => {
    telegram.addFile(voiceUpdate.message.voice.file_id, VOICE, "voice/file_7.oga");
    speech.addAudio(VOICE, "Which pharmacy near the station is open on Sunday?", 5);
    const calls = model().answered().length;

    const reply = await deliver(structuredClone(voiceUpdate));
    expect(reply.text).toContain("Which pharmacy near the station is open on Sunday?");
    expect(model().answered().length).toBe(calls + 1);
    const turn = lastUserMessage();
    expect(turn.content.map((b) => b.type)).toEqual(["text"]);
    expect(turn.content[0]!.text).toContain("[voice message, 5 s]\n[transcript of the voice message, 5 s]: Which pharmacy near the station is open on Sunday?");
    expect(speech.requests).toEqual([{ service: "workers-ai", model: "@cf/openai/whisper-large-v3-turbo", bytes: VOICE.length }]);

    const [file] = await inboundMedia("[voice message, 5 s]");
    expect(file).toMatchObject({
      kind: "audio",
      status: "stored",
      mediaType: "audio/ogg",
      sizeBytes: VOICE.length,
      transcript: "Which pharmacy near the station is open on Sunday?",
      available: true,
    });
    const bytes = await fetch(`${platform.gw.url}/api/media/${file!.id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(bytes.status).toBe(200);
    expect(Buffer.from(await bytes.arrayBuffer()).equals(VOICE)).toBe(true);
    expect((await fetch(`${platform.gw.url}/api/media/${file!.id}`)).status).toBe(401);
  });

  it("shows a photo as an image block and a PDF as a document block", async () => {
    const photoId = photoCaption.message.photo.at(-1)!.file_id;
    telegram.addFile(photoId, PHOTO, "photos/file_8.jpg");
    const photoReply = await deliver(structuredClone(photoCaption));
    expect(photoReply.text).toMatch(/I see 1 image \(image\/jpeg 48x32\)/);
    expect(lastUserMessage().content[0]!.source).toEqual({ type: "base64", media_type: "image/jpeg", data: PHOTO.toString("base64") });

    const pdfUpdate = structuredClone(documentUpdate);
    pdfUpdate.message.document.file_id = "BQACAgQAAxkBAAIBPdfFiguresPdf";
    pdfUpdate.message.document.file_size = PDF.length;
    telegram.addFile(pdfUpdate.message.document.file_id, PDF, "documents/file_9.pdf");
    const pdfReply = await deliver(pdfUpdate);
    expect(pdfReply.text).toMatch(/I see 1 file \(document application\/pdf "Testfile.pdf"\)/);
    const turn = lastUserMessage();
    expect(turn.content.map((b) => b.type)).toEqual(["document", "text"]);
    expect(turn.content[0]).toMatchObject({ title: "Testfile.pdf", source: { type: "base64", media_type: "application/pdf", data: PDF.toString("base64") } });
    expect(await inboundMedia("[document: Testfile.pdf")).toMatchObject([{ kind: "pdf", status: "stored", sizeBytes: PDF.length, available: true }]);
  });

  it("refuses a document over the limit from its declared size: a clear reply, no download, no model call", async () => {
    const big = structuredClone(documentUpdate);
    big.message.document.file_id = "BQACAgQAAxkBAAIBPdfTooLargePdf";
    big.message.document.file_size = 40 * 1024 * 1024;
    const calls = model().answered().length;
    const getFiles = telegram.state.calls.filter((c) => c.method === "getFile").length;

    const reply = await deliver(big);
    expect(reply.text).toBe('I could not take that message: "Testfile.pdf" is 40 MB; PDFs can be at most 32 MB. Nothing was sent to the assistant.');
    expect(model().answered().length).toBe(calls);
    expect(telegram.state.calls.filter((c) => c.method === "getFile").length).toBe(getFiles);
    expect(await inboundMedia("[document: Testfile.pdf (application/pdf, 40960 KiB)]")).toMatchObject([{ kind: "pdf", status: "refused", available: false }]);
  });

  it("reports the bytes kept in R2 and the transcription seconds in usage", async () => {
    const usage = await api<{ media: Record<string, number> }>("GET", "/api/usage");
    expect(usage.body.media).toMatchObject({
      storedFiles: 3,
      storedBytes: VOICE.length + PHOTO.length + PDF.length,
      bytesInR2Now: VOICE.length + PHOTO.length + PDF.length,
      refusedFiles: 1,
      transcriptions: 1,
      transcriptionSeconds: 5,
    });
    // 46.63 neurons per audio minute at $0.011 per 1,000 neurons.
    expect(usage.body.media.transcriptionCostUsd).toBeCloseTo((46.63 * 0.011 * 5) / 60 / 1000, 10);
    const daily = await api<{ days: { day: string; storedBytes: number; transcriptionSeconds: number }[] }>("GET", "/api/usage/media");
    expect(daily.body.days).toEqual([
      expect.objectContaining({ day: new Date().toISOString().slice(0, 10), storedBytes: usage.body.media.storedBytes, transcriptionSeconds: 5 }),
    ]);
  });
});
