/**
 * iMessage attachments as BlueBubbles lists and serves them (stage 1 for imessage, on the
 * bridge). A message query `with: ["attachment"]` describes each file (`guid`, `mimeType`,
 * `uti`, `transferName`, `totalBytes`); `GET /api/v1/attachment/:guid/download` serves its bytes
 * with `Content-Type` and `Content-Length`, and by default converts on the way what Apple
 * devices send in formats others do not read: HEIC, HEIF and TIFF pictures to JPEG, and voice
 * messages (Core Audio `.caf`) to MP3 (bluebubbles-server, attachmentRouter.download and
 * helpers/utils convertImage/convertAudio). So the attachment is described as what the
 * download will give; a converted file's size is unknown until its download answers, so no
 * size is declared for it and the download's own length is checked instead.
 */
import { readCapped } from "../shared/read-body";
import { blueBubblesCall, type BlueBubblesClient } from "./bluebubbles";
import type { BlueBubblesAttachment } from "./bluebubbles";

/** One attachment as the inbound message describes it (src/protocol/bridge.ts), plus the guid to download it by. */
export interface IMessageAttachment {
  guid: string | null;
  type: string;
  name?: string;
  size?: number;
  voice?: boolean;
}

const CONVERTED_TO_JPEG = /^image\/(heic|heif|tiff?)(-sequence)?$/;
const CONVERTED_TO_JPEG_UTIS = new Set(["public.heic", "public.heif", "public.tiff"]);
const CORE_AUDIO_UTI = "com.apple.coreaudio-format";

/** What the download will be: the type after BlueBubbles' conversion, and whether the declared size still holds. */
export function describeAttachment(a: BlueBubblesAttachment, isAudioMessage: boolean): IMessageAttachment {
  const declared = (a.mimeType ?? "").toLowerCase();
  const name = a.transferName ? a.transferName.slice(0, 200) : undefined;
  const size = typeof a.totalBytes === "number" && Number.isSafeInteger(a.totalBytes) && a.totalBytes >= 0 ? a.totalBytes : undefined;
  const guid = a.guid ?? null;
  if (CONVERTED_TO_JPEG.test(declared) || (a.uti && CONVERTED_TO_JPEG_UTIS.has(a.uti))) return { guid, type: "image/jpeg", ...(name ? { name } : {}) };
  if (a.uti === CORE_AUDIO_UTI || declared === "audio/x-caf") return { guid, type: "audio/mpeg", voice: true, ...(name ? { name } : {}) };
  const type = /^[\w.+-]+\/[\w.+-]+$/.test(declared) ? declared : "application/octet-stream";
  return {
    guid,
    type,
    ...(name ? { name } : {}),
    ...(size !== undefined ? { size } : {}),
    ...(isAudioMessage && type.startsWith("audio/") ? { voice: true } : {}),
  };
}

/** Generous for 25 MB of audio from a server on the same Mac or LAN; a stuck one is given up, the file named. */
const DOWNLOAD_TIMEOUT_MS = 120_000;

export type AttachmentDownload =
  | { ok: true; bytes: Uint8Array; mediaType: string }
  /** Over the limit: `size` is the length BlueBubbles announced, when it did. */
  | { ok: false; tooLarge: true; size?: number; error: string }
  | { ok: false; tooLarge: false; error: string };

/** Downloads an attachment, at most `maxBytes`: the announced length is checked before the body is read, the body while it is. */
export async function downloadAttachment(client: BlueBubblesClient, guid: string, maxBytes: number): Promise<AttachmentDownload> {
  let res: Response;
  // A download that hangs must not hold up the messages behind it: the poller waits for it.
  const signal = AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS);
  try {
    res = await blueBubblesCall(client, "GET", `/attachment/${encodeURIComponent(guid)}/download`, undefined, signal);
  } catch (err) {
    return { ok: false, tooLarge: false, error: `BlueBubbles unreachable: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (!res.ok || !res.body) {
    const body = (await res.json().catch(() => null)) as { error?: { error?: string }; message?: string } | null;
    return { ok: false, tooLarge: false, error: `BlueBubbles HTTP ${res.status}: ${body?.error?.error ?? body?.message ?? "no file"}` };
  }
  const announced = Number(res.headers.get("content-length") ?? Number.NaN);
  if (Number.isSafeInteger(announced) && announced > maxBytes) {
    await res.body.cancel();
    return { ok: false, tooLarge: true, size: announced, error: "the file is over the limit" };
  }
  let bytes: Uint8Array | null;
  try {
    bytes = await readCapped(res.body, maxBytes);
  } catch (err) {
    return { ok: false, tooLarge: false, error: `download cut off: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (!bytes) return { ok: false, tooLarge: true, error: "the file is over the limit" };
  // BlueBubbles names converted voice messages `audio/mp3`; the registered type is audio/mpeg.
  const type = (res.headers.get("content-type") ?? "application/octet-stream").split(";")[0]!.trim().toLowerCase();
  return { ok: true, bytes, mediaType: type === "audio/mp3" ? "audio/mpeg" : type };
}
