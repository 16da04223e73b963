/**
 * What the fake Messages API needs to know about an image block's bytes, as the real API
 * works it out: the format from the magic bytes (an image whose bytes do not match its
 * declared media_type is rejected) and the size in pixels, which sets its token count
 * (about width × height / 750, after scaling the long edge down to 1568 px).
 */

export type ImageMediaType = "image/jpeg" | "image/png" | "image/gif" | "image/webp";

export interface ImageInfo {
  mediaType: ImageMediaType;
  /** Unknown (null) for formats whose header is not parsed here (WebP). */
  width: number | null;
  height: number | null;
}

/** Upper bound of one image's tokens once the API has resized it. */
export const MAX_IMAGE_TOKENS = 1600;
const MAX_EDGE_PX = 1568;

/** JPEG: the frame size sits in the first SOFn segment (0xC0-0xCF except DHT, JPG and DAC). */
function jpegSize(b: Buffer): { width: number; height: number } | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1]!;
    const length = b.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    i += 2 + length;
  }
  return null;
}

export function imageInfo(bytes: Buffer): ImageInfo | null {
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    const size = jpegSize(bytes);
    return { mediaType: "image/jpeg", width: size?.width ?? null, height: size?.height ?? null };
  }
  if (bytes.length >= 24 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return { mediaType: "image/png", width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  if (bytes.length >= 10 && bytes.subarray(0, 4).toString("latin1") === "GIF8")
    return { mediaType: "image/gif", width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
  if (bytes.length >= 12 && bytes.subarray(0, 4).toString("latin1") === "RIFF" && bytes.subarray(8, 12).toString("latin1") === "WEBP")
    return { mediaType: "image/webp", width: null, height: null };
  return null;
}

export function imageTokens(info: ImageInfo | null): number {
  if (!info?.width || !info.height) return MAX_IMAGE_TOKENS;
  const scale = Math.min(1, MAX_EDGE_PX / Math.max(info.width, info.height));
  return Math.min(MAX_IMAGE_TOKENS, Math.max(1, Math.ceil((info.width * scale * info.height * scale) / 750)));
}
