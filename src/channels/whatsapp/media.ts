/**
 * Downloads a file a WhatsApp user sent (pipeline stage 7, for the agent): the Cloud API
 * gives a media id in the webhook; `GET /{media-id}` with the access token answers a short-lived
 * URL with the file's type and size, and that URL is fetched with the same bearer token. The
 * size is checked from the Graph answer before the download starts.
 */
import { downloadCapped } from "../shared/media-download";
import { humanSize } from "../shared/media-limits";
import type { Attachment, FetchedAttachment } from "../shared/types";
import { WHATSAPP_MEDIA_SCHEME } from "./webhook";

interface MediaUrl {
  url?: unknown;
  mime_type?: unknown;
  file_size?: unknown;
  error?: { message?: string; code?: number };
}

export async function fetchWhatsAppMedia(
  attachment: Attachment,
  o: { graphBase: string; accessToken: string; phoneNumberId: string; fetch: typeof fetch },
  maxBytes: number,
): Promise<FetchedAttachment> {
  if (!attachment.url?.startsWith(WHATSAPP_MEDIA_SCHEME)) return { ok: false, reason: "unavailable", error: "not a WhatsApp media id" };
  const id = attachment.url.slice(WHATSAPP_MEDIA_SCHEME.length);
  const auth = { authorization: `Bearer ${o.accessToken}` };
  let info: MediaUrl;
  try {
    const res = await o.fetch(`${o.graphBase}/${encodeURIComponent(id)}?phone_number_id=${encodeURIComponent(o.phoneNumberId)}`, { headers: auth });
    info = (await res.json().catch(() => ({}))) as MediaUrl;
    if (!res.ok)
      return { ok: false, reason: "unavailable", error: `WhatsApp media lookup failed: HTTP ${res.status}${info.error?.code ? ` (#${info.error.code})` : ""}` };
  } catch {
    return { ok: false, reason: "unavailable", error: "network error looking up the WhatsApp media" };
  }
  if (typeof info.url !== "string") return { ok: false, reason: "unavailable", error: "the WhatsApp media lookup returned no url" };
  // Graph documents file_size as a number of bytes; some versions send it as a string.
  const size = Number(info.file_size ?? Number.NaN);
  if (size > maxBytes) return { ok: false, reason: "too_large", size, error: `the file is ${humanSize(size)}, over the ${humanSize(maxBytes)} limit` };
  const type = typeof info.mime_type === "string" ? info.mime_type : attachment.type;
  return downloadCapped({ fetch: o.fetch, url: info.url, headers: auth, maxBytes, platform: "WhatsApp", fallbackType: type });
}
