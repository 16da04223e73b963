/**
 * A fake Telegram Bot API (https://core.telegram.org/bots/api) as a web-standard handler:
 * `/bot<token>/<method>` with JSON, form or query parameters, answering `{ok, result}` or
 * `{ok:false, error_code, description, parameters}` like the real server. It checks the token,
 * required parameters, the 4096-character limit and HTML parse_mode markup, and, like
 * Telegram, delivers updates to the registered webhook with the secret token header. Files
 * (`addFile`) are served like the real server: `getFile` gives a `file_path`, and the bytes are
 * at `/file/bot<token>/<file_path>`; files over 20 MB cannot be downloaded by bots. Without a
 * webhook, updates wait for getUpdates (`enqueue`, fake-update-queue.ts). editMessageText
 * changes a sent message as Telegram does: 400 "message is not modified" for the same text, 400
 * for a message that is not in the chat, and 429 with retry_after for a change that comes less
 * than a second after the previous one in that chat (Telegram's one message a second per chat).
 * sendPhoto and sendDocument take multipart/form-data with the file as its own part (or an
 * `attach://<name>` reference to one) and enforce the bot upload limits: 10 MB for photos (which
 * must be pictures), 50 MB for documents (413 above it, as the real server answers).
 */
import type { Update } from "grammy/types";
import { createUpdateQueue } from "./fake-update-queue";
import { formEntries } from "../shared/form-entries";

export interface SentMessage {
  chat_id: string;
  text: string;
  parse_mode?: string;
  reply_parameters?: { message_id: number; allow_sending_without_reply?: boolean };
  reply_markup?: { inline_keyboard: { text: string; callback_data?: string }[][] };
  message_id: number;
}

export interface SentFile {
  method: "sendPhoto" | "sendDocument";
  chat_id: string;
  /** The form field the file came in (`photo`, `document`, or the part an attach:// named). */
  part: string;
  filename: string;
  bytes: Uint8Array;
  caption?: string;
  reply_parameters?: { message_id: number; allow_sending_without_reply?: boolean };
  message_id: number;
}

export interface EditedMessage {
  chat_id: string;
  message_id: number;
  text: string;
  parse_mode?: string;
  /** The inline keyboard the edit leaves (none when absent). */
  reply_markup?: unknown;
  at: number;
}

export interface TelegramFakeOptions {
  token: string;
  username?: string;
  /** How updates reach the webhook: global fetch for a real server, SELF.fetch inside workerd. */
  deliverFetch?: (input: string, init: RequestInit) => Promise<Response>;
}

type Params = Record<string, unknown>;
interface StoredFile {
  bytes: Uint8Array<ArrayBuffer>;
  path: string;
}

/** Bots may download files up to 20 MB (https://core.telegram.org/bots/api#getfile). */
const MAX_BOT_DOWNLOAD_BYTES = 20 * 1024 * 1024;
type Failure = { status: number; body: Record<string, unknown> };

const TAGS = new Set(["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji"]);
const MAX_TEXT = 4096;
/** Telegram: "avoid sending more than one message per second in a particular chat" (bots FAQ). */
const MIN_CHANGE_INTERVAL_MS = 1000;

/** Telegram's 429 body: the retry delay is in `parameters.retry_after`, in seconds. */
export function tooManyRequests(retryAfterSeconds: number): Failure {
  return {
    status: 429,
    body: { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfterSeconds}`, parameters: { retry_after: retryAfterSeconds } },
  };
}

function badRequest(description: string): Failure {
  return { status: 400, body: { ok: false, error_code: 400, description: `Bad Request: ${description}` } };
}

/** Parses Telegram HTML the way the server does: known tags, balanced, four named entities. Returns visible text or an error. */
export function parseTelegramHtml(html: string): { ok: true; text: string } | { ok: false; error: string } {
  const stack: string[] = [];
  let text = "";
  const token = /<(\/?)([a-z-]+)((?:\s+[a-z-]+="[^"]*")*)\s*>|&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);|[<>&]|[^<>&]+/gi;
  for (const m of html.matchAll(token)) {
    if (m[2] !== undefined) {
      const tag = m[2].toLowerCase();
      if (!TAGS.has(tag)) return { ok: false, error: `Unsupported start tag "${tag}" at byte offset ${m.index}` };
      if (m[1]) {
        if (stack.pop() !== tag)
          return { ok: false, error: `Unmatched end tag at byte offset ${m.index}, expected "</${stack.at(-1) ?? ""}>", found "</${tag}>"` };
      } else stack.push(tag);
    } else if (m[4] !== undefined) text += { lt: "<", gt: ">", amp: "&", quot: '"' }[m[4].toLowerCase()] ?? "?";
    else if (m[0] === "<" || m[0] === ">" || m[0] === "&") {
      if (m[0] !== ">") return { ok: false, error: `Unsupported start tag or entity at byte offset ${m.index}` };
      text += ">";
    } else text += m[0];
  }
  if (stack.length > 0) return { ok: false, error: `Can't find end tag corresponding to start tag "${stack.at(-1)}"` };
  return { ok: true, text };
}

/** A file part of a multipart request. */
class UploadedPart {
  constructor(
    readonly filename: string,
    readonly bytes: Uint8Array,
  ) {}
}

/** Bots upload photos up to 10 MB and other files up to 50 MB (https://core.telegram.org/bots/api#sending-files). */
const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
const MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;

function isPicture(bytes: Uint8Array): boolean {
  const png = [0x89, 0x50, 0x4e, 0x47].every((b, i) => bytes[i] === b);
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  const webp = String.fromCharCode(...bytes.subarray(8, 12)) === "WEBP";
  return png || jpeg || webp;
}

async function readParams(request: Request): Promise<Params> {
  const params: Params = Object.fromEntries(new URL(request.url).searchParams);
  const type = request.headers.get("content-type") ?? "";
  if (type.includes("multipart/form-data")) {
    // Values are strings (JSON for objects, as Telegram reads them) or file parts.
    for (const [key, value] of formEntries(await request.formData())) {
      if (typeof value === "string") params[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
      else params[key] = new UploadedPart(value.name, new Uint8Array(await value.arrayBuffer()));
    }
    return params;
  }
  if (type.includes("application/json")) return { ...params, ...((await request.json()) as Params) };
  if (type.includes("application/x-www-form-urlencoded")) return { ...params, ...Object.fromEntries(new URLSearchParams(await request.text())) };
  return params;
}

/** Inline keyboards: rows of buttons, each with a text and 1-64 bytes of callback_data (https://core.telegram.org/bots/api#inlinekeyboardbutton). */
function validKeyboard(markup: unknown): boolean {
  const rows = (markup as { inline_keyboard?: unknown })?.inline_keyboard;
  if (!Array.isArray(rows)) return false;
  return rows.every(
    (row) =>
      Array.isArray(row) &&
      row.every((b: { text?: unknown; callback_data?: unknown }) => {
        const size = typeof b.callback_data === "string" ? new TextEncoder().encode(b.callback_data).length : 0;
        return typeof b.text === "string" && b.text !== "" && size >= 1 && size <= 64;
      }),
  );
}

/** What a user sees of a sent message: its text after HTML entities are parsed. */
function visibleText(sent: SentMessage): string {
  if (sent.parse_mode !== "HTML") return sent.text;
  const parsed = parseTelegramHtml(sent.text);
  return parsed.ok ? parsed.text : sent.text;
}

export function createTelegramFake(options: TelegramFakeOptions) {
  const botId = Number(options.token.split(":")[0]);
  const username = options.username ?? "loopgate_test_bot";
  const failures = new Map<string, Failure[]>();
  const files = new Map<string, StoredFile>();
  const state = {
    webhook: null as null | { url: string; secret_token?: string; allowed_updates?: string[] },
    sent: [] as SentMessage[],
    chatActions: [] as { chat_id: string; action: string }[],
    /** Every accepted sendPhoto and sendDocument upload, in order. */
    files: [] as SentFile[],
    /** Every accepted editMessageText, in order. */
    edits: [] as EditedMessage[],
    /** Every file download, with whether the token and path were right. */
    downloads: [] as { path: string; status: number }[],
    calls: [] as { method: string; params: Params }[],
    commands: [] as { command: string; description: string }[],
    /** answerCallbackQuery calls, in order. */
    callbackAnswers: [] as { callback_query_id: string; text?: string; show_alert?: boolean }[],
  };
  /** Callback queries handed out by `pressButton` and not yet answered (Telegram lets each be answered once). */
  const openQueries = new Set<string>();
  let nextMessageId = 5000;
  /** What each message shows now (its last accepted text and keyboard), and when each chat's messages were last edited. */
  const shown = new Map<number, { chat_id: string; text: string; parse_mode?: string; markup?: string }>();
  const lastChange = new Map<string, number>();
  const updates = createUpdateQueue();
  /** Called with each batch getUpdates hands out, before the answer leaves (tests kill the poller here). */
  let onHandOut: ((batch: Update[]) => void) | undefined;

  function answer(method: string, params: Params): Failure | { status: 200; body: { ok: true; result: unknown } } {
    const ok = (result: unknown) => ({ status: 200 as const, body: { ok: true as const, result } });
    switch (method) {
      case "getMe":
        return ok({
          id: botId,
          is_bot: true,
          first_name: "Loopgate",
          username,
          can_join_groups: true,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
        });
      case "setWebhook": {
        if (typeof params.url !== "string" || !/^https?:\/\//.test(params.url))
          return badRequest("bad webhook: Failed to resolve host: Name or service not known");
        const secret = params.secret_token;
        if (secret !== undefined && (typeof secret !== "string" || !/^[A-Za-z0-9_-]{1,256}$/.test(secret)))
          return badRequest("secret token contains unallowed characters");
        if (params.allowed_updates !== undefined && !Array.isArray(params.allowed_updates)) return badRequest("can't parse allowed updates");
        state.webhook = { url: params.url, secret_token: secret as string | undefined, allowed_updates: params.allowed_updates as string[] | undefined };
        updates.release();
        return ok(true);
      }
      case "deleteWebhook":
        state.webhook = null;
        if (params.drop_pending_updates === true || params.drop_pending_updates === "true") updates.drop();
        return ok(true);
      case "getWebhookInfo":
        return ok({
          url: state.webhook?.url ?? "",
          has_custom_certificate: false,
          pending_update_count: updates.pendingCount(),
          allowed_updates: state.webhook?.allowed_updates,
        });
      case "setMyCommands": {
        const commands = params.commands as { command?: string; description?: string }[] | undefined;
        if (!Array.isArray(commands) || commands.some((c) => !/^[a-z0-9_]{1,32}$/.test(c.command ?? "") || !c.description || c.description.length > 256))
          return badRequest("BOT_COMMAND_INVALID");
        state.commands = commands as { command: string; description: string }[];
        return ok(true);
      }
      case "getFile": {
        const fileId = params.file_id;
        if (typeof fileId !== "string" || fileId === "") return badRequest("file_id is empty");
        const file = files.get(fileId);
        if (!file) return badRequest("invalid file_id");
        if (file.bytes.byteLength > MAX_BOT_DOWNLOAD_BYTES) return badRequest("file is too big");
        return ok({ file_id: fileId, file_unique_id: `u${fileId.slice(-8)}`, file_size: file.bytes.byteLength, file_path: file.path });
      }
      case "sendChatAction":
        if (params.chat_id === undefined || typeof params.action !== "string") return badRequest("chat_id and action are required");
        state.chatActions.push({ chat_id: String(params.chat_id), action: params.action });
        return ok(true);
      case "sendMessage": {
        if (params.chat_id === undefined || params.chat_id === "") return badRequest("chat_id is empty");
        if (typeof params.text !== "string" || params.text.trim() === "") return badRequest("message text is empty");
        let visible = params.text;
        if (params.parse_mode === "HTML") {
          const parsed = parseTelegramHtml(params.text);
          if (!parsed.ok) return badRequest(`can't parse entities: ${parsed.error}`);
          visible = parsed.text;
        }
        if (visible.length > MAX_TEXT) return badRequest("message is too long");
        if (params.reply_markup !== undefined && !validKeyboard(params.reply_markup)) return badRequest("BUTTON_DATA_INVALID");
        const message_id = nextMessageId++;
        shown.set(message_id, {
          chat_id: String(params.chat_id),
          text: params.text,
          parse_mode: params.parse_mode as string | undefined,
          markup: params.reply_markup === undefined ? undefined : JSON.stringify(params.reply_markup),
        });
        state.sent.push({
          chat_id: String(params.chat_id),
          text: params.text,
          parse_mode: params.parse_mode as string | undefined,
          reply_parameters: params.reply_parameters as SentMessage["reply_parameters"],
          reply_markup: params.reply_markup as SentMessage["reply_markup"],
          message_id,
        });
        return ok({
          message_id,
          date: Math.floor(Date.now() / 1000),
          chat: { id: Number(params.chat_id), type: "private" },
          from: { id: botId, is_bot: true, first_name: "Loopgate", username },
          text: visible,
        });
      }
      case "answerCallbackQuery": {
        const id = params.callback_query_id;
        if (typeof id !== "string" || id === "") return badRequest("callback_query_id is empty");
        if (!openQueries.delete(id)) return badRequest("query is too old and response timeout expired or query ID is invalid");
        if (typeof params.text === "string" && params.text.length > 200) return badRequest("text is too long");
        state.callbackAnswers.push({ callback_query_id: id, text: params.text as string | undefined, show_alert: params.show_alert as boolean | undefined });
        return ok(true);
      }
      case "sendPhoto":
      case "sendDocument":
        return sendFile(method, params);
      case "editMessageText": {
        if (params.chat_id === undefined || params.chat_id === "") return badRequest("chat_id is empty");
        if (typeof params.text !== "string" || params.text.trim() === "") return badRequest("message text is empty");
        const chat = String(params.chat_id);
        const message_id = Number(params.message_id);
        const current = shown.get(message_id);
        if (!current || current.chat_id !== chat) return badRequest("message to edit not found");
        let visible = params.text;
        if (params.parse_mode === "HTML") {
          const parsed = parseTelegramHtml(params.text);
          if (!parsed.ok) return badRequest(`can\x27t parse entities: ${parsed.error}`);
          visible = parsed.text;
        }
        if (visible.length > MAX_TEXT) return badRequest("MESSAGE_TOO_LONG");
        const markup = params.reply_markup === undefined ? undefined : JSON.stringify(params.reply_markup);
        if (current.text === params.text && current.parse_mode === params.parse_mode && current.markup === markup)
          return badRequest(
            "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
          );
        const now = Date.now();
        if (now - (lastChange.get(chat) ?? 0) < MIN_CHANGE_INTERVAL_MS) return tooManyRequests(1);
        lastChange.set(chat, now);
        shown.set(message_id, { chat_id: chat, text: params.text, parse_mode: params.parse_mode as string | undefined, markup });
        // Like Telegram, an edit without reply_markup leaves the message without an inline keyboard.
        const sent = state.sent.find((m) => m.chat_id === chat && m.message_id === message_id);
        if (sent) sent.reply_markup = params.reply_markup as SentMessage["reply_markup"];
        state.edits.push({
          chat_id: chat,
          message_id,
          text: params.text,
          parse_mode: params.parse_mode as string | undefined,
          reply_markup: params.reply_markup,
          at: now,
        });
        return ok({
          message_id,
          date: Math.floor(now / 1000),
          edit_date: Math.floor(now / 1000),
          chat: { id: Number(params.chat_id), type: "private" },
          from: { id: botId, is_bot: true, first_name: "Loopgate", username },
          text: visible,
        });
      }
      default:
        return { status: 404, body: { ok: false, error_code: 404, description: "Not Found: method not found" } };
    }
  }

  /** An upload: the file must be a part of the multipart body, sent as the field or through attach://. */
  function sendFile(method: "sendPhoto" | "sendDocument", params: Params): Failure | { status: 200; body: { ok: true; result: unknown } } {
    const field = method === "sendPhoto" ? "photo" : "document";
    if (params.chat_id === undefined || params.chat_id === "") return badRequest("chat_id is empty");
    let value = params[field];
    let part = field;
    if (typeof value === "string" && value.startsWith("attach://")) {
      part = value.slice("attach://".length);
      value = params[part];
    }
    if (value === undefined) return badRequest(`there is no ${field} in the request`);
    if (!(value instanceof UploadedPart)) return badRequest("wrong remote file identifier specified: Wrong string length");
    const size = value.bytes.byteLength;
    if (size === 0) return badRequest("file must be non-empty");
    if (method === "sendDocument" && size > MAX_DOCUMENT_BYTES)
      return { status: 413, body: { ok: false, error_code: 413, description: "Request Entity Too Large" } };
    if (method === "sendPhoto" && size > MAX_PHOTO_BYTES) return badRequest("PHOTO_SAVE_FILE_INVALID");
    if (method === "sendPhoto" && !isPicture(value.bytes)) return badRequest("IMAGE_PROCESS_FAILED");
    const caption = typeof params.caption === "string" ? params.caption : undefined;
    if (caption !== undefined && caption.length > 1024) return badRequest("message caption is too long");
    const message_id = nextMessageId++;
    const chat_id = String(params.chat_id);
    state.files.push({
      method,
      chat_id,
      part,
      filename: value.filename,
      bytes: value.bytes,
      caption,
      reply_parameters: params.reply_parameters as SentFile["reply_parameters"],
      message_id,
    });
    const now = Math.floor(Date.now() / 1000);
    const media =
      method === "sendPhoto"
        ? { photo: [{ file_id: `ph${message_id}`, file_unique_id: `u${message_id}`, width: 1, height: 1, file_size: size }] }
        : { document: { file_id: `doc${message_id}`, file_unique_id: `u${message_id}`, file_name: value.filename, file_size: size } };
    return { status: 200, body: { ok: true, result: { message_id, date: now, chat: { id: Number(chat_id), type: "private" }, ...media } } };
  }

  function download(pathname: string): Response {
    const m = /^\/file\/bot([^/]+)\/(.+)$/.exec(pathname);
    const path = decodeURIComponent(m?.[2] ?? "");
    const file = [...files.values()].find((f) => f.path === path);
    const found = m !== null && decodeURIComponent(m[1] ?? "") === options.token && file !== undefined;
    state.downloads.push({ path, status: found ? 200 : 404 });
    if (!found) return Response.json({ ok: false, error_code: 404, description: "Not Found" }, { status: 404 });
    return new Response(file.bytes, { headers: { "content-type": "application/octet-stream", "content-length": String(file.bytes.byteLength) } });
  }

  async function handle(request: Request): Promise<Response> {
    if (new URL(request.url).pathname.startsWith("/file/")) return download(new URL(request.url).pathname);
    const m = /\/bot([^/]+)\/(\w+)$/.exec(new URL(request.url).pathname);
    if (!m) return Response.json({ ok: false, error_code: 404, description: "Not Found" }, { status: 404 });
    if (decodeURIComponent(m[1] ?? "") !== options.token) return Response.json({ ok: false, error_code: 401, description: "Unauthorized" }, { status: 401 });
    const method = m[2] ?? "";
    const params = await readParams(request);
    state.calls.push({ method, params });
    const failure = failures.get(method)?.shift();
    const poll = () =>
      updates.poll(
        params,
        () => state.webhook !== null,
        (batch) => onHandOut?.(batch),
      );
    const result = failure ?? (method === "getUpdates" ? await poll() : answer(method, params));
    return Response.json(result.body, { status: result.status });
  }

  return {
    handle,
    state,
    botId,
    username,
    /** Makes a file available as a user's upload would be: `getFile(fileId)` then its download path. */
    addFile(fileId: string, bytes: Uint8Array, path = `photos/file_${files.size}.jpg`) {
      files.set(fileId, { bytes: new Uint8Array(bytes), path });
    },
    /** What a message shows now: its last accepted text (sent or edited). */
    shownText(messageId: number): string | undefined {
      return shown.get(messageId)?.text;
    },
    /** The next `count` calls of `method` fail with `failure` (e.g. tooManyRequests(1)). */
    failNext(method: string, failure: Failure, count = 1) {
      failures.set(method, [...(failures.get(method) ?? []), ...Array.from({ length: count }, () => failure)]);
    },
    /** An update waiting for getUpdates, as Telegram keeps it while no webhook is set. */
    enqueue(update: unknown) {
      updates.enqueue(update as Update);
    },
    updates: updates.state,
    pendingUpdates: updates.pendingCount,
    onHandOut(hook: ((batch: Update[]) => void) | undefined) {
      onHandOut = hook;
    },
    /**
     * A user presses an inline button of a sent message: a callback_query update (shaped as
     * fixtures/callback-query-approval.json) goes to the webhook, as Telegram sends it.
     */
    pressButton(messageId: number, callbackData: string, from: { id: number; first_name: string }): Promise<Response> {
      const sent = state.sent.find((m) => m.message_id === messageId);
      if (!sent) throw new Error(`no sent message ${messageId}`);
      if (!sent.reply_markup?.inline_keyboard.flat().some((b) => b.callback_data === callbackData))
        throw new Error(`message ${messageId} has no button ${callbackData}`);
      const id = `${botId}${nextMessageId++}`;
      openQueries.add(id);
      return this.deliver({
        update_id: nextMessageId++,
        callback_query: {
          id,
          from: { ...from, is_bot: false },
          message: { message_id: messageId, chat: { id: Number(sent.chat_id), type: "private" }, date: Math.floor(Date.now() / 1000), text: visibleText(sent) },
          chat_instance: "-7196183950428722461",
          data: callbackData,
        },
      });
    },
    /** Sends an update to the registered webhook as Telegram does, with the secret token header. */
    async deliver(update: unknown, secretOverride?: string | null): Promise<Response> {
      if (!state.webhook) throw new Error("no webhook registered (run the channel's setup first)");
      const headers: Record<string, string> = { "content-type": "application/json" };
      const secret = secretOverride === undefined ? state.webhook.secret_token : secretOverride;
      if (secret) headers["x-telegram-bot-api-secret-token"] = secret;
      return (options.deliverFetch ?? fetch)(state.webhook.url, { method: "POST", headers, body: JSON.stringify(update) });
    },
  };
}

export type TelegramFake = ReturnType<typeof createTelegramFake>;
