/**
 * Downloads a file uploaded to Google Chat for the turn (pipeline stage 7; attachments.ts made the
 * reference): media.download, `GET {apiBase}/v1/media/{resourceName}?alt=media`, with the app's
 * service-account token (scope chat.bot), only from the configured Chat API root. Chat declares
 * no size, so the download is stopped by its Content-Length or cut while it is read.
 * https://developers.google.com/workspace/chat/api/reference/rest/v1/media/download
 */
import { downloadCapped } from "../shared/media-download";
import { CHAT_API_BASE, type ChatClient, chatAccessToken } from "./api";
import { CHAT_MEDIA_SCHEME } from "./attachments";
import type { Attachment, FetchedAttachment } from "../shared/types";

/** The media.download URL for a resource name (`{resourceName=**}`: slashes kept, every segment escaped). */
export function mediaDownloadUrl(apiBase: string | undefined, resourceName: string): string | null {
  const segments = resourceName.split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) return null;
  return `${(apiBase ?? CHAT_API_BASE).replace(/\/$/, "")}/v1/media/${segments.map(encodeURIComponent).join("/")}?alt=media`;
}

export async function fetchChatMedia(attachment: Attachment, client: ChatClient, maxBytes: number): Promise<FetchedAttachment> {
  if (!attachment.url?.startsWith(CHAT_MEDIA_SCHEME)) return { ok: false, reason: "unavailable", error: "not Google Chat media" };
  const url = mediaDownloadUrl(client.apiBase, attachment.url.slice(CHAT_MEDIA_SCHEME.length));
  if (!url) return { ok: false, reason: "unavailable", error: "the Google Chat resource name is malformed" };
  let token: string;
  try {
    token = await chatAccessToken(client);
  } catch (err) {
    return { ok: false, reason: "unavailable", error: `no Google Chat token for the download: ${err instanceof Error ? err.message : String(err)}` };
  }
  return downloadCapped({
    fetch: client.fetch,
    url,
    headers: { authorization: `Bearer ${token}` },
    maxBytes,
    platform: "Google Chat",
    fallbackType: attachment.type,
  });
}
