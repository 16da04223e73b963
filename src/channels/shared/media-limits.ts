/**
 * What an inbound attachment is, and whether it may be downloaded at all: checked on the type
 * and size the platform declared, BEFORE any byte is fetched (src/agent/media.ts then checks the
 * bytes themselves). The limits are the Messages API's (images 5 MB, PDFs 32 MB per request)
 * and the speech-to-text services' (25 MB of audio); text files are capped at 1 MB because the
 * whole file goes into the prompt.
 */
import type { Attachment } from "./types";

/** How the turn uses a file: image block, document block (PDF or text), transcript, or only its name. */
export type MediaKind = "image" | "pdf" | "text" | "audio" | "other";

/** Byte limits per kind; `other` files are never downloaded, so they have none. */
export interface MediaLimits {
  imageBytes: number;
  pdfBytes: number;
  textBytes: number;
  audioBytes: number;
}

const MB = 1024 * 1024;
export const DEFAULT_MEDIA_LIMITS: MediaLimits = { imageBytes: 5 * MB, pdfBytes: 32 * MB, textBytes: 1 * MB, audioBytes: 25 * MB };

/** Image formats Claude reads; others (HEIC, TIFF, SVG) are refused with a clear reply. */
const MODEL_IMAGE_TYPES = new Set(["image/jpeg", "image/jpg", "image/png", "image/gif", "image/webp"]);
/** Text-like types sent as a plain-text document. */
const TEXT_TYPES = /^(text\/[\w.+-]+|application\/(json|xml|csv|x-yaml|yaml|x-ndjson|ld\+json))$/;

/** The media type without its parameters (`audio/ogg; codecs=opus` → `audio/ogg`), lower-cased. */
export function baseMediaType(type: string): string {
  return type.split(";")[0]!.trim().toLowerCase();
}

export function mediaKindOf(attachment: Pick<Attachment, "type" | "voice">): MediaKind {
  const type = baseMediaType(attachment.type);
  if (attachment.voice || type.startsWith("audio/")) return "audio";
  if (type.startsWith("image/")) return "image";
  if (type === "application/pdf") return "pdf";
  if (TEXT_TYPES.test(type)) return "text";
  return "other";
}

export function limitFor(kind: MediaKind, limits: MediaLimits): number {
  switch (kind) {
    case "image":
      return limits.imageBytes;
    case "pdf":
      return limits.pdfBytes;
    case "text":
      return limits.textBytes;
    case "audio":
      return limits.audioBytes;
    case "other":
      return 0;
  }
}

/** `1.5 MB`, `320 KB`: sizes as the sender reads them. */
export function humanSize(bytes: number): string {
  if (bytes >= MB) return `${(bytes / MB).toFixed(1).replace(/\.0$/, "")} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

export type PreDownloadCheck =
  | { ok: true; kind: MediaKind; maxBytes: number }
  /** Refused without downloading; `reason` is a sentence for the sender. */
  | { ok: false; kind: MediaKind; reason: string };

/** Decides from the declared type and size alone; an undeclared size is checked while downloading. */
export function checkBeforeDownload(attachment: Attachment, limits: MediaLimits): PreDownloadCheck {
  const kind = mediaKindOf(attachment);
  const label = attachment.name ? `"${attachment.name}"` : describeKind(kind);
  if (kind === "image" && !MODEL_IMAGE_TYPES.has(baseMediaType(attachment.type)))
    return { ok: false, kind, reason: `${label} is a ${baseMediaType(attachment.type)} picture; please send it as JPEG, PNG, GIF or WebP.` };
  const maxBytes = limitFor(kind, limits);
  if (kind !== "other" && attachment.size !== undefined && attachment.size > maxBytes)
    return { ok: false, kind, reason: tooLarge(label, kind, attachment.size, maxBytes) };
  return { ok: true, kind, maxBytes };
}

export function describeKind(kind: MediaKind): string {
  return { image: "the picture", pdf: "the PDF", text: "the text file", audio: "the voice message", other: "the file" }[kind];
}

export function tooLarge(label: string, kind: MediaKind, size: number | undefined, maxBytes: number): string {
  const what = { image: "pictures", pdf: "PDFs", text: "text files", audio: "voice messages and audio", other: "files" }[kind];
  return `${label[0]!.toUpperCase()}${label.slice(1)} is ${size !== undefined ? humanSize(size) : "too large"}; ${what} can be at most ${humanSize(maxBytes)}.`;
}
