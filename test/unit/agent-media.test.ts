/**
 * The inbound-media layer (src/agent/media.ts, src/channels/shared/media-limits.ts): what is
 * refused before any download, what each kind of file becomes for the model, what is kept in
 * the store, and the transcription services' wire formats (src/agent/transcribe.ts) against
 * their fakes.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { prepareMedia, type MediaDeps } from "../../src/agent/media";
import { openAiTranscriber, workersAiCostUsd, workersAiRestTranscriber, type Transcriber } from "../../src/agent/transcribe";
import { checkBeforeDownload, DEFAULT_MEDIA_LIMITS } from "../../src/channels/shared/media-limits";
import type { Attachment } from "../../src/channels/shared/types";
import { createSpeechToTextFake } from "../fakes/speech-to-text";

const PHOTO = readFileSync(new URL("../../src/channels/telegram/fixtures/photo.jpg", import.meta.url));
const PDF = readFileSync(new URL("../../src/channels/telegram/fixtures/document.pdf", import.meta.url));
const VOICE = readFileSync(new URL("../../src/channels/telegram/fixtures/voice.oga", import.meta.url));

function deps(files: Record<string, Uint8Array>, extra: Partial<MediaDeps> = {}) {
  const fetched: string[] = [];
  const stored = new Map<string, { bytes: Uint8Array; type: string }>();
  const d: MediaDeps = {
    fetchAttachment: async (a) => {
      fetched.push(a.url!);
      const bytes = files[a.url!];
      return bytes ? { ok: true, bytes, mediaType: a.type } : { ok: false, reason: "unavailable", error: "HTTP 404" };
    },
    store: { put: async (key, value, o) => void stored.set(key, { bytes: value, type: o.httpMetadata.contentType }) },
    transcriber: null,
    limits: DEFAULT_MEDIA_LIMITS,
    channelId: "ch_1",
    senderId: "42",
    messageId: "inb_abc",
    now: 1_000,
    ...extra,
  };
  return { d, fetched, stored };
}

const hearing = (text: string): Transcriber => ({ name: "test", transcribe: async () => ({ ok: true, text, durationSeconds: 3, costUsd: 0.0001 }) });

describe("inbound media", () => {
  it("refuses on the declared size and type before downloading anything", async () => {
    expect(checkBeforeDownload({ type: "image/heic", name: "IMG_1.heic" }, DEFAULT_MEDIA_LIMITS)).toMatchObject({ ok: false });
    const { d, fetched } = deps({ "f:1": PHOTO });
    const out = await prepareMedia(
      [
        { type: "image/jpeg", url: "f:1" },
        { type: "application/pdf", url: "f:2", name: "big.pdf", size: 33 * 1024 * 1024 },
      ],
      d,
    );
    expect(out).toMatchObject({
      kind: "refused",
      notice: 'I could not take that message: "big.pdf" is 33 MB; PDFs can be at most 32 MB. Nothing was sent to the assistant.',
    });
    expect(fetched).toEqual([]);
    expect(out.rows.map((r) => r.status)).toEqual(["refused", "refused"]);
  });

  it("makes images image blocks, PDFs and text documents, names other files, and keeps the bytes", async () => {
    const text = new TextEncoder().encode("a,b\n1,2\n");
    const { d, stored } = deps({ "f:1": PHOTO, "f:2": PDF, "f:3": text });
    const out = await prepareMedia(
      [
        { type: "image/jpeg", url: "f:1" },
        { type: "application/pdf", url: "f:2", name: "q3.pdf" },
        { type: "text/csv", url: "f:3", name: "t.csv" },
        { type: "application/zip", url: "f:4", name: "all.zip", size: 2048 },
      ],
      d,
    );
    if (out.kind !== "ready") throw new Error(out.notice);
    expect(out.images).toEqual([{ mediaType: "image/jpeg", data: PHOTO.toString("base64") }]);
    expect(out.documents).toEqual([
      { kind: "pdf", data: PDF.toString("base64"), title: "q3.pdf" },
      { kind: "text", data: "a,b\n1,2\n", title: "t.csv" },
    ]);
    expect(out.notes).toEqual(["[file not opened: all.zip (application/zip, 2 KB); only pictures, PDFs, text files and voice messages are read]"]);
    expect([...stored.keys()]).toEqual(["media/ch_1/inb_abc/0", "media/ch_1/inb_abc/1", "media/ch_1/inb_abc/2"]);
    expect(out.rows.map((r) => [r.id, r.kind, r.status, r.r2Key ?? null])).toEqual([
      ["inb_abc:0", "image", "stored", "media/ch_1/inb_abc/0"],
      ["inb_abc:1", "pdf", "stored", "media/ch_1/inb_abc/1"],
      ["inb_abc:2", "text", "stored", "media/ch_1/inb_abc/2"],
      ["inb_abc:3", "other", "named", null],
    ]);
  });

  it("refuses bytes that are not what they claim, and a download over the limit", async () => {
    const { d } = deps({ "f:1": new TextEncoder().encode("<svg/>"), "f:2": new Uint8Array(10) });
    expect(await prepareMedia([{ type: "image/png", url: "f:1", name: "x.png" }], d)).toMatchObject({
      kind: "refused",
      notice: expect.stringContaining('"x.png" is not a JPEG, PNG, GIF or WebP picture.'),
    });
    const small = deps({}, { fetchAttachment: async () => ({ ok: false, reason: "too_large", error: "over" }) });
    expect(await prepareMedia([{ type: "image/png", url: "f:9" }], small.d)).toMatchObject({
      kind: "refused",
      notice: expect.stringContaining("at most 5 MB"),
    });
  });

  it("turns a voice note into its transcript, and refuses one when no speech-to-text is configured", async () => {
    const voice: Attachment = { type: "audio/ogg", url: "f:v", voice: true, durationSeconds: 3 };
    const { d } = deps({ "f:v": VOICE }, { transcriber: hearing("see you at noon") });
    const out = await prepareMedia([voice], d);
    expect(out).toMatchObject({ kind: "ready", notes: ["[transcript of the voice message, 3 s]: see you at noon"] });
    expect(out.rows[0]).toMatchObject({ kind: "audio", transcript: "see you at noon", transcriptionSeconds: 3 });
    const none = deps({ "f:v": VOICE });
    expect(await prepareMedia([voice], none.d)).toMatchObject({ kind: "refused", notice: expect.stringContaining("cannot be transcribed") });
    expect(none.fetched).toEqual([]);
    const silent = deps({ "f:v": VOICE }, { transcriber: hearing("") });
    expect(await prepareMedia([voice], silent.d)).toMatchObject({
      kind: "refused",
      notice: "I could not make out your voice message; please try again or write it instead.",
    });
  });

  it("names files of a channel that cannot download them, without refusing the message", async () => {
    const { d } = deps({}, { fetchAttachment: undefined });
    const out = await prepareMedia([{ type: "image/jpeg", name: "cat.jpg" }], d);
    expect(out).toMatchObject({ kind: "ready", images: [], notes: ["[picture not shown: this channel cannot download files]"] });
  });
});

describe("speech to text", () => {
  const fake = createSpeechToTextFake({ accountId: "acc1", apiToken: "cf-tok", openAiKey: "sk-openai" });
  fake.addAudio(VOICE, "hello there", 4);
  const fetchFake = ((input: RequestInfo | URL, init?: RequestInit) => fake.handle(new Request(input, init))) as typeof fetch;

  it("calls Workers AI's REST endpoint with the bearer token and base64 audio, and prices the minutes", async () => {
    const t = workersAiRestTranscriber({
      baseUrl: "https://cf.test/client/v4",
      accountId: "acc1",
      token: "cf-tok",
      model: "@cf/openai/whisper-large-v3-turbo",
      fetch: fetchFake,
    });
    expect(await t.transcribe(VOICE, "audio/ogg", "v.ogg")).toEqual({
      ok: true,
      text: "hello there",
      durationSeconds: 4,
      costUsd: workersAiCostUsd("@cf/openai/whisper-large-v3-turbo", 4),
    });
    const wrong = workersAiRestTranscriber({
      baseUrl: "https://cf.test/client/v4",
      accountId: "acc1",
      token: "nope",
      model: "@cf/openai/whisper-large-v3-turbo",
      fetch: fetchFake,
    });
    expect(await wrong.transcribe(VOICE, "audio/ogg", "v.ogg")).toEqual({ ok: false, error: "Workers AI answered HTTP 401: Authentication error" });
  });

  it("posts multipart audio to an OpenAI-compatible endpoint", async () => {
    const t = openAiTranscriber({ baseUrl: "https://oa.test/v1", apiKey: "sk-openai", model: "whisper-1", usdPerMinute: 0.006, fetch: fetchFake });
    expect(await t.transcribe(VOICE, "audio/ogg", "v.ogg")).toEqual({ ok: true, text: "hello there", durationSeconds: 4, costUsd: 0.0004 });
    expect(fake.requests.at(-1)).toEqual({ service: "openai", model: "whisper-1", bytes: VOICE.length });
  });
});
