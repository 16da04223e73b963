/**
 * Images a sender attached, made ready for the model: fetched through the channel (which
 * holds any credentials), capped in size, checked by their bytes, and base64-encoded for an
 * image content block. What cannot be shown becomes a note in the turn's text, so the model
 * (and the sender, through its answer) knows a picture was there but not seen.
 */
import type { Attachment, FetchedAttachment } from "../channels/shared/types";
import type { TurnImage } from "./types";

/** The Messages API's limit for one base64 image. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** Images per message shown to the model; more are noted, not sent (each costs up to ~1,600 tokens). */
export const MAX_IMAGES_PER_TURN = 4;

export type AttachmentFetcher = (attachment: Attachment, maxBytes: number) => Promise<FetchedAttachment>;

/** The formats Claude reads, recognised by their first bytes (a file name or header can lie). */
export function sniffImageType(bytes: Uint8Array): TurnImage["mediaType"] | null {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0xff, 0xd8, 0xff)) return "image/jpeg";
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "image/png";
  if (starts(0x47, 0x49, 0x46, 0x38)) return "image/gif";
  if (starts(0x52, 0x49, 0x46, 0x46) && String.fromCharCode(...bytes.subarray(8, 12)) === "WEBP") return "image/webp";
  return null;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  // Chunks keep String.fromCharCode's argument count far below engine limits.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export interface PreparedImages {
  images: TurnImage[];
  /** Appended to the turn's text, one per image not shown. */
  notes: string[];
  /** Why each skipped image was skipped, for the admin's feed. */
  skipped: { name?: string; reason: string }[];
}

export async function prepareImages(attachments: readonly Attachment[], fetchAttachment: AttachmentFetcher | undefined): Promise<PreparedImages> {
  const out: PreparedImages = { images: [], notes: [], skipped: [] };
  const skip = (a: Attachment, note: string, reason: string) => {
    out.notes.push(note);
    out.skipped.push({ ...(a.name ? { name: a.name } : {}), reason });
  };
  for (const a of attachments.filter((x) => x.type.startsWith("image/"))) {
    if (!fetchAttachment) {
      skip(a, "[image not shown: this channel cannot fetch attachments]", "channel cannot fetch attachments");
      continue;
    }
    if (out.images.length >= MAX_IMAGES_PER_TURN) {
      skip(a, `[image not shown: at most ${MAX_IMAGES_PER_TURN} images per message]`, "too many images");
      continue;
    }
    const fetched = await fetchAttachment(a, MAX_IMAGE_BYTES);
    if (!fetched.ok) {
      skip(a, fetched.reason === "too_large" ? "[image not shown: larger than 5 MB]" : "[image not shown: it could not be downloaded]", fetched.error);
      continue;
    }
    const mediaType = sniffImageType(fetched.bytes);
    if (!mediaType) {
      skip(a, "[image not shown: not a JPEG, PNG, GIF or WebP picture]", `unsupported image format (declared ${fetched.mediaType})`);
      continue;
    }
    out.images.push({ mediaType, data: toBase64(fetched.bytes) });
  }
  return out;
}
