/**
 * Files the agent sends, on Telegram (docs/media.md): PNG and JPEG pictures go with `sendPhoto`
 * (shown inline; Telegram takes photos up to 10 MB), everything else with `sendDocument` (up to
 * 50 MB for bots), as multipart/form-data with the file as its own part, a reply to the
 * message being answered. Telegram's error body maps to a SendResult like every Bot API call.
 */
import { TELEGRAM_API_ROOT } from "./api";
import type { OutboundFileMessage, SendResult } from "../shared/types";

/** Bots may upload photos up to 10 MB and other files up to 50 MB (https://core.telegram.org/bots/api#sending-files). */
export const TELEGRAM_MAX_PHOTO_BYTES = 10 * 1024 * 1024;
export const TELEGRAM_MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;
/** Types sendPhoto shows as a photo; a GIF would lose its animation there, so it goes as a document. */
const PHOTO_TYPES = new Set(["image/png", "image/jpeg"]);

type BotApiAnswer = { ok: boolean; result?: { message_id?: number }; error_code?: number; description?: string; parameters?: { retry_after?: number } };

export interface TelegramFileTarget {
  botToken: string;
  apiBase?: string;
  chatId: string;
  replyToMessageId?: string;
}

export async function sendTelegramFile(target: TelegramFileTarget, message: OutboundFileMessage, fetchFn: typeof fetch): Promise<SendResult> {
  const { file } = message;
  const asPhoto = PHOTO_TYPES.has(file.mediaType) && file.bytes.byteLength <= TELEGRAM_MAX_PHOTO_BYTES;
  if (!asPhoto && file.bytes.byteLength > TELEGRAM_MAX_DOCUMENT_BYTES)
    return { ok: false, retryable: false, error: `${file.name} is over Telegram's ${TELEGRAM_MAX_DOCUMENT_BYTES} byte limit for bots` };
  const method = asPhoto ? "sendPhoto" : "sendDocument";
  const form = new FormData();
  form.set("chat_id", target.chatId);
  form.set(asPhoto ? "photo" : "document", new File([file.bytes], file.name, { type: file.mediaType }));
  if (message.text) form.set("caption", message.text);
  const replyTo = Number(target.replyToMessageId);
  if (Number.isInteger(replyTo) && replyTo > 0) form.set("reply_parameters", JSON.stringify({ message_id: replyTo, allow_sending_without_reply: true }));
  const root = (target.apiBase ?? TELEGRAM_API_ROOT).replace(/\/$/, "");
  let response: Response;
  try {
    response = await fetchFn(`${root}/bot${target.botToken}/${method}`, { method: "POST", body: form });
  } catch (err) {
    return { ok: false, retryable: true, error: `network error: ${err instanceof Error ? err.message : String(err)}` };
  }
  const answer = (await response.json().catch(() => null)) as BotApiAnswer | null;
  if (answer?.ok) return { ok: true, platformMessageId: answer.result?.message_id === undefined ? undefined : String(answer.result.message_id) };
  const code = answer?.error_code ?? response.status;
  const error = `Telegram ${method} failed: ${code} ${answer?.description ?? response.statusText}`;
  if (code === 429) {
    const seconds = answer?.parameters?.retry_after;
    return { ok: false, retryable: true, retryAfterMs: seconds === undefined ? undefined : seconds * 1000, error };
  }
  return { ok: false, retryable: code >= 500, error };
}
