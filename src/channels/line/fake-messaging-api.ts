/**
 * A fake LINE Messaging API (https://developers.line.biz/en/reference/messaging-api/) as a
 * web-standard handler, and LINE's side of the webhook: it signs deliveries with the channel
 * secret, issues reply tokens that work once and expire, and tests the webhook endpoint like
 * the console's Verify button. It checks what LINE checks: the bearer token, 1-5 messages,
 * 5,000 characters a text, Flex altText up to 400, X-Line-Retry-Key as a UUID (a repeated key
 * is answered 409 with x-line-accepted-request-id), loading only in one-to-one chats.
 */
import { lineSignature } from "./signature";

export interface LineFakeOptions {
  accessToken: string;
  channelSecret: string;
  /** The bot's user id: `destination` of every webhook. */
  botUserId?: string;
  /** How webhooks reach the gateway: global fetch for a real server, SELF.fetch inside workerd. */
  deliverFetch?: (input: string, init: RequestInit) => Promise<Response>;
}

export interface LineSent {
  via: "reply" | "push";
  to: string;
  messages: { type: string; text?: string; altText?: string; contents?: Record<string, unknown> }[];
  retryKey?: string;
}

type Failure = { status: number; message: string; retryAfterSeconds?: number };

const MAX_TEXT = 5000;
const MAX_ALT_TEXT = 400;
/** How long the fake honours a reply token (LINE: about a minute). */
const REPLY_TOKEN_TTL_MS = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CHAT_ID = /^[UCR][0-9a-f]{32}$/;

const error = (status: number, message: string, headers: Record<string, string> = {}) => Response.json({ message }, { status, headers });

function checkMessages(messages: unknown): string | null {
  if (!Array.isArray(messages) || messages.length < 1 || messages.length > 5) return "messages must be 1 to 5 message objects";
  for (const m of messages as Record<string, unknown>[]) {
    if (m.type === "text") {
      if (typeof m.text !== "string" || m.text.length === 0) return "messages[0].text must not be empty";
      if (m.text.length > MAX_TEXT) return `messages[0].text must be at most ${MAX_TEXT} characters`;
    } else if (m.type === "flex") {
      if (typeof m.altText !== "string" || m.altText.length === 0 || m.altText.length > MAX_ALT_TEXT) return "messages[0].altText must be 1-400 characters";
      const contents = m.contents as { type?: string } | undefined;
      if (contents?.type !== "bubble" && contents?.type !== "carousel") return "messages[0].contents.type must be bubble or carousel";
    } else return `messages[0].type ${String(m.type)} is not supported by this fake`;
  }
  return null;
}

export function createLineFake(options: LineFakeOptions) {
  const botUserId = options.botUserId ?? "U00112233445566778899aabbccddeeff";
  const replyTokens = new Map<string, { expiresAt: number; used: boolean }>();
  const acceptedKeys = new Map<string, string>();
  const content = new Map<string, { bytes: Uint8Array<ArrayBuffer>; type: string }>();
  const failures = new Map<string, Failure[]>();
  const state = {
    sent: [] as LineSent[],
    loading: [] as { chatId: string; loadingSeconds: number }[],
    webhookEndpoint: null as string | null,
    calls: [] as { method: string; path: string; retryKey?: string }[],
  };
  let nextId = 100_000;

  async function post(url: string, body: string): Promise<Response> {
    const headers = { "content-type": "application/json; charset=utf-8", "x-line-signature": await lineSignature(options.channelSecret, body) };
    return (options.deliverFetch ?? fetch)(url, { method: "POST", headers, body });
  }

  async function route(request: Request, path: string): Promise<Response> {
    const json = async () => (await request.json().catch(() => ({}))) as Record<string, unknown>;
    const sent = (messages: unknown[]) => Response.json({ sentMessages: messages.map(() => ({ id: String(nextId++), quoteToken: `q${nextId}` })) });
    if (request.method === "GET" && path === "/v2/bot/info")
      return Response.json({ userId: botUserId, basicId: "@216ru...", displayName: "Loopgate", chatMode: "bot", markAsReadMode: "manual" });
    if (request.method === "POST" && path === "/v2/bot/message/reply") {
      const body = await json();
      const token = replyTokens.get(String(body.replyToken));
      if (!token || token.used || token.expiresAt < Date.now()) return error(400, "Invalid reply token");
      const problem = checkMessages(body.messages);
      if (problem) return error(400, problem);
      token.used = true;
      state.sent.push({ via: "reply", to: String(body.replyToken), messages: body.messages as LineSent["messages"] });
      return sent(body.messages as unknown[]);
    }
    if (request.method === "POST" && path === "/v2/bot/message/push") {
      const key = request.headers.get("x-line-retry-key") ?? undefined;
      if (key !== undefined && !UUID.test(key)) return error(400, "The retry key must be a UUID");
      const accepted = key ? acceptedKeys.get(key) : undefined;
      if (accepted) return error(409, "The retry key is already accepted", { "x-line-accepted-request-id": accepted });
      const body = await json();
      if (typeof body.to !== "string" || !CHAT_ID.test(body.to)) return error(400, "The property, 'to', in the request body is invalid");
      const problem = checkMessages(body.messages);
      if (problem) return error(400, problem);
      if (key) acceptedKeys.set(key, crypto.randomUUID());
      state.sent.push({ via: "push", to: body.to, messages: body.messages as LineSent["messages"], retryKey: key });
      return sent(body.messages as unknown[]);
    }
    if (request.method === "POST" && path === "/v2/bot/chat/loading/start") {
      const body = await json();
      const seconds = Number(body.loadingSeconds ?? 20);
      if (typeof body.chatId !== "string" || !/^U[0-9a-f]{32}$/.test(body.chatId))
        return error(400, "chatId must be a user id (loading works in one-to-one chats only)");
      if (!Number.isInteger(seconds) || seconds < 5 || seconds > 60 || seconds % 5 !== 0) return error(400, "loadingSeconds must be 5-60 in steps of 5");
      state.loading.push({ chatId: body.chatId, loadingSeconds: seconds });
      return Response.json({}, { status: 202 });
    }
    const contentPath = /^\/v2\/bot\/message\/([^/]+)\/content$/.exec(path);
    if (request.method === "GET" && contentPath?.[1]) {
      const item = content.get(contentPath[1]);
      if (!item) return error(404, "Not found");
      return new Response(item.bytes, { headers: { "content-type": item.type, "content-length": String(item.bytes.byteLength) } });
    }
    if (request.method === "PUT" && path === "/v2/bot/channel/webhook/endpoint") {
      const body = await json();
      if (typeof body.endpoint !== "string" || !/^https?:\/\//.test(body.endpoint)) return error(400, "Invalid webhook endpoint URL");
      state.webhookEndpoint = body.endpoint;
      return Response.json({});
    }
    if (request.method === "POST" && path === "/v2/bot/channel/webhook/test") {
      const body = await json();
      const endpoint = typeof body.endpoint === "string" ? body.endpoint : state.webhookEndpoint;
      if (!endpoint) return error(400, "webhook endpoint is not set");
      const res = await post(endpoint, JSON.stringify({ destination: botUserId, events: [] })).catch(() => null);
      const ok = res?.status === 200;
      await res?.body?.cancel();
      return Response.json({
        success: ok,
        timestamp: new Date().toISOString(),
        statusCode: res?.status ?? 0,
        reason: ok ? "OK" : "ERROR",
        detail: String(res?.status ?? "no answer"),
      });
    }
    return error(404, "Not found");
  }

  async function handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    state.calls.push({ method: request.method, path, retryKey: request.headers.get("x-line-retry-key") ?? undefined });
    if (request.headers.get("authorization") !== `Bearer ${options.accessToken}`)
      return error(401, "Authentication failed. Confirm that the access token in the authorization header is valid.");
    const failure = failures.get(path)?.shift();
    if (failure)
      return error(failure.status, failure.message, failure.retryAfterSeconds !== undefined ? { "retry-after": String(failure.retryAfterSeconds) } : {});
    return route(request, path);
  }

  return {
    handle,
    state,
    botUserId,
    /** The next `count` calls to `path` fail, e.g. `{status: 429, message: "Too Many Requests"}`. */
    failNext(path: string, failure: Failure, count = 1) {
      failures.set(path, [...(failures.get(path) ?? []), ...Array.from({ length: count }, () => failure)]);
    },
    /** An image a user sent, served by the content API under its message id. */
    addContent(messageId: string, bytes: Uint8Array, type = "image/jpeg") {
      content.set(messageId, { bytes: new Uint8Array(bytes), type });
    },
    /**
     * Delivers a webhook body, signed; every event's replyToken is registered as a fresh,
     * unused token (LINE issues one per event) unless the event is a redelivery.
     */
    async deliver(url: string, body: { events: { replyToken?: string; deliveryContext?: { isRedelivery?: boolean } }[] }): Promise<Response> {
      for (const e of body.events)
        if (e.replyToken && !e.deliveryContext?.isRedelivery && !replyTokens.has(e.replyToken))
          replyTokens.set(e.replyToken, { expiresAt: Date.now() + REPLY_TOKEN_TTL_MS, used: false });
      return post(url, JSON.stringify(body));
    },
    /** Delivers a raw body with an arbitrary signature header (or none), for rejection tests. */
    deliverRaw(url: string, raw: string, signature?: string): Promise<Response> {
      return (options.deliverFetch ?? fetch)(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(signature ? { "x-line-signature": signature } : {}) },
        body: raw,
      });
    },
  };
}

export type LineFake = ReturnType<typeof createLineFake>;
