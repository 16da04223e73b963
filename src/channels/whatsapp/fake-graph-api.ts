/**
 * A fake of Meta's Graph API for the WhatsApp Cloud API, written against web standards so
 * the Worker tests (fetch interception) and the end-to-end tests (a real server on
 * 127.0.0.1) share it. It checks what Graph checks (bearer token, phone number id,
 * messaging_product, text length, the 24-hour window) and answers with Graph's error
 * envelope and codes. Webhook subscriptions are verified with a GET to the callback, as
 * Meta does. Media a user "sent" (`addMedia`) is served as Graph serves it: `GET /{media-id}`
 * answers a short-lived URL with type and size, and that URL answers the bytes, both only
 * with the bearer token. A read receipt with a typing indicator (`status: "read"`) is taken
 * only for a message the user sent (`userWrote` with its wamid), as Graph takes it.
 */

export interface GraphApiFakeOptions {
  accessToken: string;
  phoneNumberId: string;
  appId?: string;
  appSecret?: string;
  wabaId?: string;
  /** How the fake reaches the gateway to verify a new webhook subscription. */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  now?: () => number;
}

export interface SentTextMessage {
  id: string;
  to: string;
  body: string;
  /** `context.message_id`: the message being quoted. */
  contextMessageId?: string;
}

/** A typing indicator the fake showed: the message it marked read, and when. */
export interface TypingShown {
  messageId: string;
  at: number;
}

/** Graph error codes the fake can be told to answer with. */
export type ScriptedCode = 4 | 130429 | 131056 | 131047 | 190 | 131000;

const ERRORS: Record<number, { status: number; message: string; details?: string }> = {
  4: { status: 429, message: "(#4) Application request limit reached" },
  100: { status: 400, message: "(#100) Invalid parameter" },
  190: { status: 401, message: "Invalid OAuth access token - Cannot parse access token" },
  130429: {
    status: 400,
    message: "(#130429) Rate limit hit",
    details: "Message failed to send because there were too many messages sent from this phone number in a short period of time",
  },
  131000: { status: 500, message: "(#131000) Something went wrong", details: "Message failed to send due to an unknown error." },
  131047: {
    status: 400,
    message: "(#131047) Re-engagement message",
    details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
  },
  131056: {
    status: 400,
    message: "(#131056) (Business Account, Consumer Account) pair rate limit hit",
    details: "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.",
  },
  2200: { status: 400, message: "(#2200) Callback verification failed" },
};

const WINDOW_MS = 24 * 60 * 60_000;

function graphError(code: number, details?: string): Response {
  const e = ERRORS[code] ?? ERRORS[100]!;
  const body = {
    error: {
      message: e.message,
      type: "OAuthException",
      code,
      error_data: { messaging_product: "whatsapp", details: details ?? e.details ?? e.message },
      fbtrace_id: "AbCdEfGhIjKlMnOp",
    },
  };
  return Response.json(body, { status: e.status });
}

export function createGraphApiFake(options: GraphApiFakeOptions) {
  const now = options.now ?? Date.now;
  const sent: SentTextMessage[] = [];
  const subscriptions: { callbackUrl: string; fields: string }[] = [];
  const subscribedWabas: string[] = [];
  const script: ScriptedCode[] = [];
  const lastInbound = new Map<string, number>();
  const inboundIds = new Set<string>();
  const typing: TypingShown[] = [];
  const typingRefused: TypingShown[] = [];
  let failTyping = false;
  let counter = 0;
  const media = new Map<string, { bytes: Uint8Array<ArrayBuffer>; mimeType: string }>();
  const downloads: { id: string; status: number }[] = [];

  /** `GET /{media-id}`: the retrieve-media-URL answer (the URL is valid for 5 minutes on Meta's side). */
  function mediaUrl(request: Request, id: string): Response {
    const file = media.get(id);
    if (!file)
      return graphError(
        100,
        `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
      );
    const phone = new URL(request.url).searchParams.get("phone_number_id");
    if (phone !== null && phone !== options.phoneNumberId) return graphError(100, "Media does not belong to this phone number");
    // Served by this fake too: its own origin, as the client reached it (the Host header when served on a port).
    const host = request.headers.get("host");
    const origin = host ? `${new URL(request.url).protocol}//${host}` : new URL(request.url).origin;
    const url = `${origin}/whatsapp-cdn/${id}?ext=${Date.now()}`;
    return Response.json({ messaging_product: "whatsapp", url, mime_type: file.mimeType, sha256: "0".repeat(64), file_size: file.bytes.length, id });
  }

  /** The media URL itself: bytes only with the access token, as Meta requires. */
  function mediaDownload(request: Request, id: string): Response {
    const file = media.get(id);
    const status = request.headers.get("authorization") !== `Bearer ${options.accessToken}` ? 401 : file ? 200 : 404;
    downloads.push({ id, status });
    if (status !== 200 || !file) return new Response(status === 401 ? "Unauthorized" : "Not Found", { status });
    return new Response(file.bytes, { headers: { "content-type": file.mimeType, "content-length": String(file.bytes.length) } });
  }

  /** `status: "read"` with `typing_indicator`: marks a received message read and shows "typing…" (at most 25 s on the phone). */
  function markRead(body: Record<string, unknown>): Response {
    const messageId = body.message_id;
    if (typeof messageId !== "string" || !messageId) return graphError(100, "The parameter message_id is required.");
    const indicator = body.typing_indicator as { type?: unknown } | undefined;
    if (indicator !== undefined && indicator?.type !== "text") return graphError(100, "Param typing_indicator['type'] must be one of {text}.");
    if (!inboundIds.has(messageId)) return graphError(100, `Invalid message_id: ${messageId} is not a message this number received.`);
    if (failTyping) {
      typingRefused.push({ messageId, at: now() });
      return graphError(131000);
    }
    if (indicator) typing.push({ messageId, at: now() });
    return Response.json({ success: true });
  }

  async function sendMessage(request: Request): Promise<Response> {
    let body: { messaging_product?: string; to?: string; type?: string; text?: { body?: string }; context?: { message_id?: string }; status?: string };
    try {
      body = (await request.json()) as typeof body;
    } catch {
      return graphError(100, "request body is not JSON");
    }
    if (body.messaging_product !== "whatsapp") return graphError(100, "The parameter messaging_product is required.");
    if (body.status !== undefined) {
      if (body.status !== "read") return graphError(100, "Param status must be one of {read}.");
      return markRead(body);
    }
    if (!body.to) return graphError(100, "The parameter to is required.");
    if (body.type !== "text" || typeof body.text?.body !== "string") return graphError(100, "Param text['body'] is required for type text.");
    if (body.text.body.length > 4096) return graphError(100, "Param text['body'] must be at most 4096 characters long.");
    const scripted = script.shift();
    if (scripted !== undefined) return graphError(scripted);
    const wrote = lastInbound.get(body.to);
    if (wrote === undefined || now() - wrote > WINDOW_MS) return graphError(131047);
    const id = `wamid.FAKE${String(++counter).padStart(6, "0")}`;
    sent.push({ id, to: body.to, body: body.text.body, contextMessageId: body.context?.message_id });
    return Response.json({ messaging_product: "whatsapp", contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id }] });
  }

  async function subscribe(request: Request): Promise<Response> {
    const form = new URLSearchParams(await request.text());
    if (form.get("access_token") !== `${options.appId}|${options.appSecret}`) return graphError(190);
    const callbackUrl = form.get("callback_url") ?? "";
    if (form.get("object") !== "whatsapp_business_account" || !callbackUrl) return graphError(100, "object and callback_url are required");
    const challenge = String(Math.floor(Math.random() * 1e9));
    const url = `${callbackUrl}?${new URLSearchParams({ "hub.mode": "subscribe", "hub.challenge": challenge, "hub.verify_token": form.get("verify_token") ?? "" })}`;
    const answer = await (options.fetch ?? fetch)(url).catch((err: unknown) => new Response(String(err), { status: 599 }));
    const echoed = await answer.text();
    if (answer.status !== 200 || echoed !== challenge) return graphError(2200, `callback answered ${answer.status} ${echoed.slice(0, 100)}`);
    subscriptions.push({ callbackUrl, fields: form.get("fields") ?? "" });
    return Response.json({ success: true });
  }

  async function handle(request: Request): Promise<Response> {
    const segments = new URL(request.url).pathname.split("/").filter(Boolean);
    if (/^v\d+\.\d+$/.test(segments[0] ?? "")) segments.shift();
    const [objectId, edge] = segments;
    if (request.method === "GET" && objectId === "whatsapp-cdn" && edge) return mediaDownload(request, edge);
    if (request.method === "GET" && segments.length === 1 && objectId) {
      if (request.headers.get("authorization") !== `Bearer ${options.accessToken}`) return graphError(190);
      return mediaUrl(request, objectId);
    }
    if (request.method !== "POST" || segments.length !== 2) return graphError(100, `Unsupported ${request.method} request.`);
    if (objectId === options.appId && edge === "subscriptions") return subscribe(request);
    if (request.headers.get("authorization") !== `Bearer ${options.accessToken}`) return graphError(190);
    if (objectId !== undefined && objectId === options.wabaId && edge === "subscribed_apps") {
      subscribedWabas.push(objectId);
      return Response.json({ success: true });
    }
    if (objectId !== options.phoneNumberId) return graphError(100, `Unsupported post request. Object with ID '${objectId}' does not exist.`);
    if (edge !== "messages") return graphError(100, `Unknown path components: /${edge}`);
    return sendMessage(request);
  }

  return {
    handle,
    sent,
    subscriptions,
    subscribedWabas,
    /** Every media download, with the status it got. */
    downloads,
    /** A file a user sent, by its media id. */
    addMedia: (id: string, bytes: Uint8Array, mimeType: string) => void media.set(id, { bytes: new Uint8Array(bytes), mimeType }),
    /** The next message sends fail with these Graph error codes, in order. */
    failNext: (...codes: ScriptedCode[]) => void script.push(...codes),
    /** Every typing indicator shown, in order. */
    typing,
    /** Typing indicators refused while `failTypingIndicators` was on. */
    typingRefused,
    /** Typing indicators answer Graph's `131000` until told otherwise (messages still go). */
    failTypingIndicators: (fail = true) => {
      failTyping = fail;
    },
    /** Records that a user wrote to the business number (message `messageId`, when given), which opens the 24-hour window. */
    userWrote: (waId: string, at = now(), messageId?: string) => {
      lastInbound.set(waId, at);
      if (messageId) inboundIds.add(messageId);
    },
  };
}

export type GraphApiFake = ReturnType<typeof createGraphApiFake>;
