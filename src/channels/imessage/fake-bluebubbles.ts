/**
 * A fake BlueBubbles server (REST API v1) as a web-standard handler: `GET /ping`,
 * `POST /message/query` (`after`, `sort`, `limit` up to 1000, `with` chat/handle) and
 * `POST /message/text` (`chatGuid`, `tempGuid`, `message`, `method`) and
 * `GET /attachment/:guid/download`. Like the real server it
 * wants the server password as the `password` (or `guid`, `token`) query parameter, answers
 * `{status, message, data}` or `{status, message, error: {type, error}}`, and lists the Mac's
 * own sent messages (`isFromMe`) among the chat's messages. Attachments are listed only when the
 * query asks `with: ["attachment"]`, and served with `Content-Type` and `Content-Length` as
 * BlueBubbles serves them after its conversions (a HEIC picture as JPEG, a `.caf` voice message
 * as `audio/mp3`): the test says what the download gives.
 */

export interface FakeIMessage {
  guid: string;
  text: string;
  isFromMe: boolean;
  dateCreated: number;
  handle: { address: string } | null;
  chats: { guid: string; displayName: string | null }[];
  attachments: FakeAttachmentListing[];
  associatedMessageGuid: string | null;
  isAudioMessage?: boolean;
}

/** An attachment as the message query lists it (AttachmentSerializer's fields). */
export interface FakeAttachmentListing {
  guid: string;
  mimeType: string | null;
  uti: string | null;
  transferName: string;
  totalBytes: number;
}

/** A file someone sends: how Messages stored it, and what BlueBubbles' download serves. */
export interface FakeFile {
  mimeType: string | null;
  uti?: string;
  transferName: string;
  bytes: Uint8Array;
  /** What the download answers when BlueBubbles converts the file (HEIC to JPEG, CAF to MP3); default: the file as stored. */
  served?: { contentType: string; bytes: Uint8Array };
}

const MAX_QUERY_LIMIT = 1000;

const answer = (status: number, message: string, data?: unknown) => Response.json({ status, message, ...(data === undefined ? {} : { data }) }, { status });
const failure = (status: number, message: string, type: string, error: string) => Response.json({ status, message, error: { type, error } }, { status });

export function createBlueBubblesFake(options: { password: string }) {
  const messages: FakeIMessage[] = [];
  const failures: { status: number; error: string }[] = [];
  const state = { sent: [] as { chatGuid: string; tempGuid: string; message: string; method: string }[], calls: [] as string[] };
  const served = new Map<string, { contentType: string; bytes: Uint8Array; name: string }>();
  let lastDate = 0;
  let counter = 0;
  const nextDate = () => (lastDate = Math.max(Date.now(), lastDate + 1));
  const guid = () => `${(++counter).toString(16).padStart(8, "0").toUpperCase()}-FAKE-4000-8000-${crypto.randomUUID().slice(-12).toUpperCase()}`;

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname.replace(/^\/api\/v1/, "");
    state.calls.push(`${request.method} ${path}`);
    const password = url.searchParams.get("password") ?? url.searchParams.get("guid") ?? url.searchParams.get("token");
    if (password !== options.password) return failure(401, "Unauthorized", "Authentication Error", "Missing or invalid server password");
    if (request.method === "GET" && path === "/ping") return answer(200, "Ping received!", "pong");
    const download = /^\/attachment\/([^/]+)\/download$/.exec(path);
    if (request.method === "GET" && download) {
      const file = served.get(decodeURIComponent(download[1]!));
      if (!file) return failure(404, "Not Found", "Database Error", "Attachment does not exist!");
      return new Response(file.bytes.slice(), {
        headers: {
          "content-type": file.contentType,
          "content-length": String(file.bytes.byteLength),
          "content-disposition": `attachment; filename="${file.name}"`,
        },
      });
    }
    const body = (await request.json().catch(() => null)) as Record<string, unknown> | null;
    if (request.method === "POST" && path === "/message/query") {
      const limit = typeof body?.limit === "number" ? Math.min(body.limit, MAX_QUERY_LIMIT) : 100;
      const after = typeof body?.after === "number" ? body.after : 0;
      const found = messages
        .filter((m) => m.dateCreated > after)
        .sort((a, b) => (body?.sort === "ASC" ? a.dateCreated - b.dateCreated : b.dateCreated - a.dateCreated));
      const withList = Array.isArray(body?.with) ? body.with.map(String) : [];
      const withAttachments = withList.includes("attachment") || withList.includes("attachments");
      const page = found.slice(0, limit).map(({ attachments, ...m }) => (withAttachments ? { ...m, attachments } : m));
      return Response.json({ status: 200, message: "Success", data: page, metadata: { offset: 0, limit, total: found.length, count: page.length } });
    }
    if (request.method === "POST" && path === "/message/text") {
      const injected = failures.shift();
      if (injected) return failure(injected.status, "Failed to send message", "iMessage Error", injected.error);
      const chatGuid = typeof body?.chatGuid === "string" ? body.chatGuid : "";
      const text = typeof body?.message === "string" ? body.message : "";
      const tempGuid = typeof body?.tempGuid === "string" ? body.tempGuid : "";
      if (!chatGuid || !tempGuid) return failure(400, "Bad Request", "Validation Error", "chatGuid and tempGuid are required");
      if (!text) return failure(400, "Bad Request", "Validation Error", "A message is required");
      if (!messages.some((m) => m.chats.some((c) => c.guid === chatGuid))) return failure(400, "Bad Request", "Validation Error", "Chat does not exist");
      state.sent.push({ chatGuid, tempGuid, message: text, method: String(body?.method ?? "") });
      const sent = store({ text, isFromMe: true, handle: null, chats: [{ guid: chatGuid, displayName: null }] });
      return answer(200, "Message sent!", sent);
    }
    return failure(404, "Not Found", "Not Found", `no route ${request.method} ${path}`);
  }

  function store(fields: Pick<FakeIMessage, "text" | "isFromMe" | "handle" | "chats"> & Partial<FakeIMessage>): FakeIMessage {
    const message: FakeIMessage = { guid: guid(), dateCreated: nextDate(), attachments: [], associatedMessageGuid: null, ...fields };
    messages.push(message);
    return message;
  }

  return {
    handle,
    state,
    /** Someone (`address`, a phone number or e-mail) writes to the Mac's Apple ID; a DM unless `chatGuid` names a group. */
    receive(address: string, text: string, chatGuid = `iMessage;-;${address}`, extra: Partial<FakeIMessage> = {}): FakeIMessage {
      return store({ text, isFromMe: false, handle: { address }, chats: [{ guid: chatGuid, displayName: null }], ...extra });
    },
    /** Someone sends files (with an optional caption) in a one-to-one chat; `isAudioMessage` marks a voice message. */
    receiveFiles(address: string, text: string, files: FakeFile[], extra: Partial<FakeIMessage> = {}): FakeIMessage {
      const attachments = files.map((f) => {
        const listing: FakeAttachmentListing = {
          guid: `at_${guid()}`,
          mimeType: f.mimeType,
          uti: f.uti ?? null,
          transferName: f.transferName,
          totalBytes: f.bytes.byteLength,
        };
        served.set(listing.guid, { ...(f.served ?? { contentType: f.mimeType ?? "application/octet-stream", bytes: f.bytes }), name: f.transferName });
        return listing;
      });
      return store({ text, isFromMe: false, handle: { address }, chats: [{ guid: `iMessage;-;${address}`, displayName: null }], attachments, ...extra });
    },
    /** The next sends fail with this status and error. */
    failNextSend(status: number, error: string) {
      failures.push({ status, error });
    },
  };
}

export type BlueBubblesFake = ReturnType<typeof createBlueBubblesFake>;
