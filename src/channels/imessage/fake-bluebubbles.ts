/**
 * A fake BlueBubbles server (REST API v1) as a web-standard handler: `GET /ping`,
 * `POST /message/query` (`after`, `sort`, `limit` up to 1000, `with` chat/handle) and
 * `POST /message/text` (`chatGuid`, `tempGuid`, `message`, `method`). Like the real server it
 * wants the server password as the `password` (or `guid`, `token`) query parameter, answers
 * `{status, message, data}` or `{status, message, error: {type, error}}`, and lists the Mac's
 * own sent messages (`isFromMe`) among the chat's messages.
 */

export interface FakeIMessage {
  guid: string;
  text: string;
  isFromMe: boolean;
  dateCreated: number;
  handle: { address: string } | null;
  chats: { guid: string; displayName: string | null }[];
  attachments: { mimeType: string; transferName: string }[];
  associatedMessageGuid: string | null;
}

const MAX_QUERY_LIMIT = 1000;

const answer = (status: number, message: string, data?: unknown) => Response.json({ status, message, ...(data === undefined ? {} : { data }) }, { status });
const failure = (status: number, message: string, type: string, error: string) => Response.json({ status, message, error: { type, error } }, { status });

export function createBlueBubblesFake(options: { password: string }) {
  const messages: FakeIMessage[] = [];
  const failures: { status: number; error: string }[] = [];
  const state = { sent: [] as { chatGuid: string; tempGuid: string; message: string; method: string }[], calls: [] as string[] };
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
    const body = (await request.json().catch(() => null)) as Record<string, unknown> | null;
    if (request.method === "POST" && path === "/message/query") {
      const limit = typeof body?.limit === "number" ? Math.min(body.limit, MAX_QUERY_LIMIT) : 100;
      const after = typeof body?.after === "number" ? body.after : 0;
      const found = messages
        .filter((m) => m.dateCreated > after)
        .sort((a, b) => (body?.sort === "ASC" ? a.dateCreated - b.dateCreated : b.dateCreated - a.dateCreated));
      const page = found.slice(0, limit);
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
    /** The next sends fail with this status and error. */
    failNextSend(status: number, error: string) {
      failures.push({ status, error });
    },
  };
}

export type BlueBubblesFake = ReturnType<typeof createBlueBubblesFake>;
