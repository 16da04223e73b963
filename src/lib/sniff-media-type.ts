/**
 * Files the agent sends (docs/media.md): the media type of a file is read from its first bytes,
 * never from its name, so a file called `chart.png` that holds a script is not sent as a
 * picture. Used by the bridge when a container hands over a file, and by the gateway before it
 * uploads one. Web-standard: runs in the Worker, the bridge and Node tests.
 */

/** Types the platforms show inline as pictures (Telegram sendPhoto, Slack and Discord previews). */
export const IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"] as const;

type Signature = { type: string; offset: number; bytes: readonly number[] };

/** Magic numbers from each format's specification (PNG, JFIF/EXIF, GIF87a/89a, RIFF WEBP, PDF, ZIP). */
const SIGNATURES: readonly Signature[] = [
  { type: "image/png", offset: 0, bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: "image/jpeg", offset: 0, bytes: [0xff, 0xd8, 0xff] },
  { type: "image/gif", offset: 0, bytes: [0x47, 0x49, 0x46, 0x38] },
  { type: "application/pdf", offset: 0, bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  { type: "application/zip", offset: 0, bytes: [0x50, 0x4b, 0x03, 0x04] },
  { type: "application/gzip", offset: 0, bytes: [0x1f, 0x8b] },
];

function startsWith(data: Uint8Array, offset: number, bytes: readonly number[]): boolean {
  if (data.length < offset + bytes.length) return false;
  return bytes.every((b, i) => data[offset + i] === b);
}

/** WEBP is a RIFF container: "RIFF", four bytes of length, then "WEBP". */
function isWebp(data: Uint8Array): boolean {
  return startsWith(data, 0, [0x52, 0x49, 0x46, 0x46]) && startsWith(data, 8, [0x57, 0x45, 0x42, 0x50]);
}

/** Valid UTF-8 without control characters other than tab, newline, carriage return and form feed. */
function isText(data: Uint8Array): boolean {
  let decoded: string;
  try {
    decoded = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(data);
  } catch {
    return false;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what marks a binary file
  return !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(decoded);
}

/** The file's media type from its content; `application/octet-stream` when nothing matches. */
export function sniffMediaType(data: Uint8Array): string {
  for (const s of SIGNATURES) if (startsWith(data, s.offset, s.bytes)) return s.type;
  if (isWebp(data)) return "image/webp";
  if (data.length > 0 && isText(data)) return "text/plain";
  return "application/octet-stream";
}

export function isImageType(mediaType: string): boolean {
  return (IMAGE_TYPES as readonly string[]).includes(mediaType);
}

/**
 * A file name fit to show and to put in a multipart header: the last path segment, without
 * control characters, quotes or backslashes, at most 100 characters; `file` when nothing is left.
 */
export function safeFileName(name: string): string {
  const last = name.split(/[/\\]/).pop() ?? "";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters must not reach a header
  const clean = last.replace(/[\u0000-\u001f\u007f"\\]/g, "").trim();
  const cut = clean.length > 100 ? clean.slice(clean.length - 100) : clean;
  return cut === "" || cut === "." || cut === ".." ? "file" : cut;
}
