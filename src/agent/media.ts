/**
 * The files a sender attached, made ready for the turn (pipeline stage 7, before the model):
 * every attachment is checked on its declared type and size before anything is downloaded; then
 * each is fetched through the channel (which holds the platform's credentials), checked by its
 * bytes, kept in R2, and turned into what the model reads: images → image blocks, PDFs and text
 * files → document blocks, voice notes → their transcript in the text, anything else → its name,
 * type and size. A file over a limit or of a kind the model cannot read ends the turn with a
 * clear reply to the sender and no model call. One D1 row per file records what happened.
 */
import { checkBeforeDownload, describeKind, humanSize, tooLarge, type MediaKind, type MediaLimits } from "../channels/shared/media-limits";
import type { Attachment, FetchedAttachment } from "../channels/shared/types";
import type { mediaFiles } from "../db/schema";
import { MAX_IMAGES_PER_TURN, sniffImageType, toBase64, type AttachmentFetcher } from "./images";
import type { Transcriber } from "./transcribe";
import type { TurnDocument, TurnImage } from "./types";

export type MediaRow = typeof mediaFiles.$inferInsert;

/** The slice of an R2 bucket used here. */
export interface MediaStore {
  put(key: string, value: Uint8Array, options: { httpMetadata: { contentType: string } }): Promise<unknown>;
}

export interface MediaDeps {
  fetchAttachment?: AttachmentFetcher;
  store?: MediaStore;
  transcriber: Transcriber | null;
  limits: MediaLimits;
  channelId: string;
  senderId: string;
  /** The inbound message (inbox id); files are keyed under it. */
  messageId: string;
  now: number;
}

export type PreparedMedia =
  /** Nothing for the model: the sender gets `notice`. */
  | { kind: "refused"; notice: string; rows: MediaRow[] }
  | {
      kind: "ready";
      images: TurnImage[];
      documents: TurnDocument[];
      /** Lines appended to the turn's text (transcripts, files not shown). */
      notes: string[];
      rows: MediaRow[];
      /** Files that could not be shown, for the admin's feed. */
      skipped: { name?: string; reason: string }[];
    };

export function mediaKey(channelId: string, messageId: string, index: number): string {
  return `media/${channelId}/${messageId}/${index}`;
}

const refusedNotice = (reasons: string[]) => `I could not take that message: ${reasons.join(" ")} Nothing was sent to the assistant.`;

export async function prepareMedia(attachments: readonly Attachment[], deps: MediaDeps): Promise<PreparedMedia> {
  const row = (i: number, a: Attachment, kind: MediaKind, fields: Partial<MediaRow>): MediaRow => ({
    id: `${deps.messageId}:${i}`,
    createdAt: deps.now,
    channelId: deps.channelId,
    senderId: deps.senderId,
    messageId: deps.messageId,
    kind,
    status: "named",
    mediaType: a.type,
    name: a.name ?? null,
    sizeBytes: a.size ?? 0,
    ...fields,
  });

  // Every check on what the platform declared, before a single byte is downloaded.
  const checks = attachments.map((a) => checkBeforeDownload(a, deps.limits));
  const refusals: string[] = [];
  const rows: MediaRow[] = [];
  checks.forEach((c, i) => {
    const a = attachments[i]!;
    if (!c.ok) refusals.push(c.reason);
    else if (c.kind === "audio" && !deps.transcriber && (deps.fetchAttachment || a.url?.startsWith("data:")))
      refusals.push("voice messages cannot be transcribed on this gateway yet; please write your message instead.");
  });
  if (refusals.length) {
    attachments.forEach((a, i) => rows.push(row(i, a, checks[i]!.kind, { status: "refused", error: refusals.join(" ") })));
    return { kind: "refused", notice: refusedNotice(refusals), rows };
  }

  const out = { images: [] as TurnImage[], documents: [] as TurnDocument[], notes: [] as string[], skipped: [] as { name?: string; reason: string }[] };
  for (const [i, a] of attachments.entries()) {
    const check = checks[i]!;
    if (!check.ok) continue;
    const { kind, maxBytes } = check;
    const label = a.name ? `"${a.name}"` : describeKind(kind);
    if (kind !== "other" && !deps.fetchAttachment && !a.url?.startsWith("data:")) {
      out.notes.push(`[${describeKind(kind).replace(/^the /, "")} not shown: this channel cannot download files]`);
      out.skipped.push({ ...(a.name ? { name: a.name } : {}), reason: "channel cannot fetch attachments" });
      rows.push(row(i, a, kind, { status: "named", error: "this channel cannot download files" }));
      continue;
    }
    if (kind === "other") {
      out.notes.push(
        `[file not opened: ${a.name ?? "unnamed"} (${a.type}${a.size !== undefined ? `, ${humanSize(a.size)}` : ""}); only pictures, PDFs, text files and voice messages are read]`,
      );
      rows.push(row(i, a, kind, { status: "named" }));
      continue;
    }
    if (kind === "image" && out.images.length >= MAX_IMAGES_PER_TURN) {
      out.notes.push(`[image not shown: at most ${MAX_IMAGES_PER_TURN} images per message]`);
      out.skipped.push({ ...(a.name ? { name: a.name } : {}), reason: "too many images" });
      rows.push(row(i, a, kind, { status: "named", error: "too many images in one message" }));
      continue;
    }
    const fetched = await download(a, deps, maxBytes);
    if (!fetched.ok) {
      if (fetched.reason === "too_large") {
        rows.push(row(i, a, kind, { status: "refused", error: fetched.error }));
        return { kind: "refused", notice: refusedNotice([tooLarge(label, kind, fetched.size ?? a.size, maxBytes)]), rows };
      }
      out.notes.push(`[${describeKind(kind).replace(/^the /, "")} not shown: it could not be downloaded]`);
      out.skipped.push({ ...(a.name ? { name: a.name } : {}), reason: fetched.error });
      rows.push(row(i, a, kind, { status: "failed", error: fetched.error }));
      continue;
    }
    const { bytes } = fetched;
    const content = readContent(kind, bytes, label);
    if (!content.ok) {
      rows.push(row(i, a, kind, { status: "refused", sizeBytes: bytes.length, error: content.reason }));
      return { kind: "refused", notice: refusedNotice([content.reason]), rows };
    }
    const mediaType = content.mediaType ?? fetched.mediaType;
    const key = mediaKey(deps.channelId, deps.messageId, i);
    let stored = false;
    try {
      if (deps.store) {
        await deps.store.put(key, bytes, { httpMetadata: { contentType: mediaType } });
        stored = true;
      }
    } catch (err) {
      console.error(JSON.stringify({ msg: "media not stored", key, error: err instanceof Error ? err.message : String(err) }));
    }
    const base = { status: "stored" as const, mediaType, sizeBytes: bytes.length, r2Key: stored ? key : null };
    if (kind === "image") out.images.push({ mediaType: content.mediaType as TurnImage["mediaType"], data: toBase64(bytes) });
    else if (kind === "pdf") out.documents.push({ kind: "pdf", data: toBase64(bytes), ...(a.name ? { title: a.name } : {}) });
    else if (kind === "text") out.documents.push({ kind: "text", data: content.text ?? "", ...(a.name ? { title: a.name } : {}) });
    else if (kind === "audio") {
      const heard = await deps.transcriber!.transcribe(bytes, mediaType, a.name ?? `voice-${i}.${extensionOf(mediaType)}`, a.durationSeconds);
      if (!heard.ok || !heard.text) {
        const error = heard.ok ? "the transcript is empty" : heard.error;
        rows.push(row(i, a, kind, { ...base, status: "failed", error }));
        return { kind: "refused", notice: "I could not make out your voice message; please try again or write it instead.", rows };
      }
      out.notes.push(`[transcript of the voice message${heard.durationSeconds ? `, ${Math.round(heard.durationSeconds)} s` : ""}]: ${heard.text}`);
      rows.push(row(i, a, kind, { ...base, transcript: heard.text, transcriptionSeconds: heard.durationSeconds, transcriptionCostUsd: heard.costUsd }));
      continue;
    }
    rows.push(row(i, a, kind, base));
  }
  return { kind: "ready", ...out, rows };
}

/** Through the channel's adapter; a `data:` URL (bridged channels, the web chat) needs no download. */
async function download(a: Attachment, deps: MediaDeps, maxBytes: number): Promise<FetchedAttachment> {
  if (a.url?.startsWith("data:")) {
    const m = /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(a.url);
    if (!m) return { ok: false, reason: "unavailable", error: "malformed data: URL" };
    const bytes = m[2] ? Uint8Array.from(atob(m[3]!), (c) => c.charCodeAt(0)) : new TextEncoder().encode(decodeURIComponent(m[3]!));
    if (bytes.length > maxBytes) return { ok: false, reason: "too_large", error: `the file is ${humanSize(bytes.length)}` };
    return { ok: true, bytes, mediaType: m[1] ?? a.type };
  }
  return deps.fetchAttachment!(a, maxBytes);
}

type Content = { ok: true; mediaType?: string; text?: string } | { ok: false; reason: string };

/** The bytes must be what they claim: a picture Claude reads, a PDF, or UTF-8 text. */
function readContent(kind: MediaKind, bytes: Uint8Array, label: string): Content {
  const cap = `${label[0]!.toUpperCase()}${label.slice(1)}`;
  if (kind === "image") {
    const type = sniffImageType(bytes);
    return type ? { ok: true, mediaType: type } : { ok: false, reason: `${cap} is not a JPEG, PNG, GIF or WebP picture.` };
  }
  if (kind === "pdf") {
    const magic = String.fromCharCode(...bytes.subarray(0, 5));
    return magic === "%PDF-" ? { ok: true, mediaType: "application/pdf" } : { ok: false, reason: `${cap} is not a readable PDF.` };
  }
  if (kind === "text") {
    try {
      return { ok: true, text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes) };
    } catch {
      return { ok: false, reason: `${cap} is not UTF-8 text.` };
    }
  }
  return { ok: true };
}

function extensionOf(mediaType: string): string {
  const sub = mediaType.split("/")[1]?.split(";")[0] ?? "bin";
  return { mpeg: "mp3", "x-wav": "wav", "x-m4a": "m4a", mp4: "m4a" }[sub] ?? sub;
}
