/**
 * Pictures for the model (used by media.ts): recognised by their bytes and base64-encoded for an
 * image content block, at most MAX_IMAGES_PER_TURN per message.
 */
import type { Attachment, FetchedAttachment } from "../channels/shared/types";
import type { TurnImage } from "./types";

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
