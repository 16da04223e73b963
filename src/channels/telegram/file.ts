/**
 * Downloads a file a Telegram user sent (a photo, for the agent to see): `getFile` for its
 * path, then `<apiRoot>/file/bot<token>/<file_path>`. That URL carries the bot token, so it
 * lives only inside this function: it is never stored, logged or put in an error message.
 */
import type { Api } from "grammy/web";
import { readCapped } from "../shared/read-body";
import { telegramApi, telegramSendResult } from "./api";
import type { Attachment, ChannelContext, FetchedAttachment } from "../shared/types";

/** `telegram-file:<file_id>`: how inbound normalisation refers to a file without a token-bearing URL. */
export const TELEGRAM_FILE_SCHEME = "telegram-file:";

const EXTENSION_TYPES: Record<string, string> = { jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", gif: "image/gif", webp: "image/webp" };

function mediaTypeOf(filePath: string, fallback: string): string {
  const ext = /\.(\w+)$/.exec(filePath)?.[1]?.toLowerCase();
  return (ext && EXTENSION_TYPES[ext]) ?? fallback;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

export async function fetchTelegramFile(api: Api, fileId: string, fallbackType: string, fetchFn: typeof fetch, maxBytes: number): Promise<FetchedAttachment> {
  let file: Awaited<ReturnType<Api["getFile"]>>;
  try {
    file = await api.getFile(fileId);
  } catch (err) {
    // GrammyError and HttpError name the method, not the URL, so the token stays out of this.
    return { ok: false, reason: "unavailable", error: telegramSendResult(err).error };
  }
  if (!file.file_path) return { ok: false, reason: "unavailable", error: "Telegram getFile returned no file_path" };
  if (file.file_size !== undefined && file.file_size > maxBytes)
    return { ok: false, reason: "too_large", size: file.file_size, error: `the file is ${megabytes(file.file_size)}, over the ${megabytes(maxBytes)} limit` };

  const root = api.options?.apiRoot ?? "https://api.telegram.org";
  let response: Response;
  try {
    response = await fetchFn(`${root}/file/bot${api.token}/${file.file_path}`);
  } catch {
    return { ok: false, reason: "unavailable", error: "network error downloading the file from Telegram" };
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    return { ok: false, reason: "unavailable", error: `Telegram file download failed: HTTP ${response.status}` };
  }
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body.cancel();
    return { ok: false, reason: "too_large", error: `the file is ${megabytes(declared)}, over the ${megabytes(maxBytes)} limit` };
  }
  const bytes = await readCapped(response.body, maxBytes);
  if (!bytes) return { ok: false, reason: "too_large", error: `the file is over the ${megabytes(maxBytes)} limit` };
  return { ok: true, bytes, mediaType: mediaTypeOf(file.file_path, fallbackType) };
}

/**
 * `fetchAttachment` of both Telegram channels: a file the update referred to (`telegram-file:`,
 * put there by the webhook adapter or by the bridge's poller), downloaded with the bot token,
 * server-side only.
 */
export function fetchTelegramAttachment(
  attachment: Attachment,
  { config, fetch }: ChannelContext<{ botToken: string; apiBase?: string }>,
  maxBytes: number,
): Promise<FetchedAttachment> {
  if (!attachment.url?.startsWith(TELEGRAM_FILE_SCHEME)) return Promise.resolve({ ok: false, reason: "unavailable", error: "not a Telegram file" });
  const fileId = attachment.url.slice(TELEGRAM_FILE_SCHEME.length);
  return fetchTelegramFile(telegramApi(config.botToken, config.apiBase, fetch), fileId, attachment.type, fetch, maxBytes);
}
