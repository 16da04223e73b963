/**
 * What the bridge's Matrix sync hears (stage 1 for matrix): a room message becomes an inbound
 * message when it is in a direct-message room or mentions the bot, either through `m.mentions`
 * (intentional mentions, Matrix 1.7) or, from clients that do not send it, the bot's id, a
 * link to it or its display name in the text. Notices (other bots), edits, the bot's own
 * messages and unknown event types are ignored. The event id keys deduplication.
 * https://spec.matrix.org/v1.12/client-server-api/#user-and-room-mentions
 */
import type { InboundMessage } from "../shared/types";

/** The fields of a decrypted (or clear) room event this channel reads. */
export interface MatrixEventView {
  eventId: string;
  roomId: string;
  sender: string;
  type: string;
  content: Record<string, unknown>;
}

export interface MatrixRoomView {
  /** Two people at most (the bot and one other, joined or invited): every message is for the bot. */
  direct: boolean;
  /** The sender's display name in the room, if any. */
  senderName?: string;
}

export interface MatrixBotView {
  userId: string;
  displayName?: string;
}

/**
 * Where a file's bytes are: a plain `mxc://` URI (downloaded with the bot's access token), or an
 * encrypted room's `EncryptedFile` (its own `mxc://` URI, the AES-CTR key, IV and the SHA-256
 * of the ciphertext). https://spec.matrix.org/v1.12/client-server-api/#sending-encrypted-attachments
 */
export type MatrixMediaSource = { mxc: string; encrypted?: MatrixEncryptedFile };

export interface MatrixEncryptedFile {
  url: string;
  key: { kty?: unknown; alg?: unknown; k?: unknown; key_ops?: unknown; ext?: unknown };
  iv: string;
  hashes: Record<string, unknown>;
  v?: unknown;
}

export type MatrixEventOutcome =
  | {
      kind: "message";
      message: Omit<InboundMessage, "receivedAt">;
      /** The attached file's source, for the bridge to download (the Worker cannot: plain media need the token, encrypted ones the key). */
      media?: MatrixMediaSource;
    }
  | { kind: "ignored"; why: string };

/** Messages carrying a file; the declared `info.mimetype` wins over these fallbacks. */
const FILE_TYPES: Record<string, string> = { "m.image": "image/*", "m.file": "application/octet-stream", "m.audio": "audio/*", "m.video": "video/*" };
const MAX_TEXT = 100_000;

const record = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

export function readMatrixEvent(event: MatrixEventView, room: MatrixRoomView, bot: MatrixBotView): MatrixEventOutcome {
  if (event.sender === bot.userId) return { kind: "ignored", why: "the bot's own message" };
  if (event.type !== "m.room.message") return { kind: "ignored", why: `event type ${event.type}` };
  const c = event.content;
  const relation = record(c["m.relates_to"]);
  if (relation?.rel_type === "m.replace" || c["m.new_content"] !== undefined) return { kind: "ignored", why: "an edit" };
  const msgtype = typeof c.msgtype === "string" ? c.msgtype : "";
  if (msgtype === "m.notice") return { kind: "ignored", why: "a notice (bots send notices; answering them would loop)" };
  if (typeof c.body !== "string") return { kind: "ignored", why: "a message without a body" };
  const fileType = FILE_TYPES[msgtype];
  if (msgtype !== "m.text" && msgtype !== "m.emote" && !fileType) return { kind: "ignored", why: `msgtype ${msgtype || "(none)"}` };
  if (!room.direct && !mentionsBot(c, bot)) return { kind: "ignored", why: "a room message that does not mention the bot" };

  let text = relation?.["m.in_reply_to"] ? stripReplyFallback(c.body) : c.body;
  if (!room.direct) text = stripLeadingMention(text, bot);
  if (msgtype === "m.emote") text = `* ${room.senderName ?? event.sender} ${text}`;
  const threadRoot = relation?.rel_type === "m.thread" && typeof relation.event_id === "string" ? relation.event_id : undefined;
  const replyContext: Record<string, string> = { eventId: event.eventId };
  // A mention in a room is answered in a thread on it; a direct message inline unless it was in a thread.
  const thread = threadRoot ?? (room.direct ? undefined : event.eventId);
  if (thread) replyContext.threadRoot = thread;
  const file = fileType ? readFile(c, fileType, text) : undefined;
  return {
    kind: "message",
    message: {
      senderId: event.sender,
      senderName: room.senderName?.slice(0, 200),
      conversationId: event.roomId,
      platformMessageId: event.eventId,
      text: (file ? file.caption : text).slice(0, MAX_TEXT),
      attachments: file ? [file.attachment] : undefined,
      replyContext,
    },
    ...(file?.source ? { media: file.source } : {}),
  };
}

/**
 * A file message's attachment: type and size from `info`, the name from `filename` (or the body,
 * which then is no caption), a voice message (MSC3245, what Element sends) flagged with its
 * duration, and where the bytes are: `file` in encrypted rooms, `url` otherwise.
 * https://spec.matrix.org/v1.12/client-server-api/#mimage
 */
function readFile(c: Record<string, unknown>, fallbackType: string, body: string) {
  const info = record(c.info) ?? {};
  const mimetype = typeof info.mimetype === "string" && /^[\w.+-]+\/[\w.+-]+$/.test(info.mimetype) ? info.mimetype.toLowerCase() : fallbackType;
  const filename = typeof c.filename === "string" && c.filename.trim() ? c.filename : undefined;
  const size = typeof info.size === "number" && Number.isSafeInteger(info.size) && info.size >= 0 ? info.size : undefined;
  const voice = c.msgtype === "m.audio" && record(c["org.matrix.msc3245.voice"]) !== undefined;
  const durationMs = typeof info.duration === "number" ? info.duration : record(c["org.matrix.msc1767.audio"])?.duration;
  const attachment: NonNullable<InboundMessage["attachments"]>[number] = {
    type: mimetype,
    name: (filename ?? body).slice(0, 200),
    ...(size !== undefined ? { size } : {}),
    ...(voice ? { voice: true } : {}),
    ...(typeof durationMs === "number" && durationMs >= 0 ? { durationSeconds: durationMs / 1000 } : {}),
  };
  const encrypted = readEncryptedFile(c.file);
  const source: MatrixMediaSource | undefined = encrypted
    ? { mxc: encrypted.url, encrypted }
    : typeof c.url === "string" && c.url.startsWith("mxc://")
      ? { mxc: c.url }
      : undefined;
  // With `filename`, a body that differs from it is the caption (Matrix 1.10).
  return { attachment, caption: filename && body !== filename ? body : "", source };
}

function readEncryptedFile(v: unknown): MatrixEncryptedFile | undefined {
  const f = record(v);
  const key = record(f?.key);
  const hashes = record(f?.hashes);
  if (!f || !key || !hashes || typeof f.url !== "string" || !f.url.startsWith("mxc://") || typeof f.iv !== "string") return undefined;
  return { url: f.url, key, iv: f.iv, hashes, v: f.v };
}

/** Intentional mentions decide when present; only older clients' messages are read for the name. */
export function mentionsBot(content: Record<string, unknown>, bot: MatrixBotView): boolean {
  const mentions = record(content["m.mentions"]);
  if (mentions) return Array.isArray(mentions.user_ids) && mentions.user_ids.includes(bot.userId);
  const body = typeof content.body === "string" ? content.body : "";
  const html = typeof content.formatted_body === "string" ? content.formatted_body : "";
  if (body.includes(bot.userId) || html.includes(`matrix.to/#/${bot.userId}`) || html.includes(`matrix.to/#/${encodeURIComponent(bot.userId)}`)) return true;
  const name = bot.displayName?.trim();
  return !!name && new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(name)}($|[^\\p{L}\\p{N}])`, "iu").test(body);
}

/** `@bot:server: hello`, `Loopbot, hello` → `hello`: the address is not part of the question. */
export function stripLeadingMention(text: string, bot: MatrixBotView): string {
  const names = [bot.userId, bot.displayName].filter((n): n is string => !!n?.trim()).map(escapeRegExp);
  const stripped = text.replace(new RegExp(`^\\s*@?(?:${names.join("|")})\\s*[:,]?\\s*`, "iu"), "");
  return stripped.length > 0 ? stripped : text;
}

/** Replies from older clients quote the original (`> <@alice:x> …` lines, a blank line) before the answer. */
export function stripReplyFallback(body: string): string {
  const lines = body.split("\n");
  let i = 0;
  while (i < lines.length && lines[i]?.startsWith(">")) i++;
  if (i === 0) return body;
  if (lines[i] === "") i++;
  return lines.slice(i).join("\n");
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
