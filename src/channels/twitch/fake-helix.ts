/**
 * A fake Twitch (OAuth client credentials, Helix EventSub subscriptions, Send Chat Message,
 * Send Whisper) as a web-standard handler, and Twitch's side of EventSub webhooks: creating a
 * subscription sends the signed callback verification challenge and enables the subscription
 * only if the callback echoes it as text; notifications and revocations are signed with the
 * subscription's secret. It checks what Twitch checks: Client-Id and token, 500 characters,
 * whispers only with a user token, 10-100 character secrets, one subscription per type and
 * condition (409). Errors look like Helix's `{error, status, message}`.
 */
import { twitchSignature } from "./signature";

export interface TwitchFakeOptions {
  clientId: string;
  clientSecret: string;
  /** The bot's user token for whispers. */
  userAccessToken?: string;
  /** How Twitch reaches the callback: global fetch for a real server, SELF.fetch inside workerd. */
  deliverFetch?: (input: string, init: RequestInit) => Promise<Response>;
}

export interface FakeSubscription {
  id: string;
  type: string;
  condition: Record<string, string>;
  callback: string;
  secret: string;
  status: string;
}

type Failure = { status: number; message: string; resetInSeconds?: number };
const MAX_MESSAGE = 500;

const helixError = (status: number, message: string, headers: Record<string, string> = {}) =>
  Response.json(
    { error: status === 401 ? "Unauthorized" : status === 409 ? "Conflict" : status === 429 ? "Too Many Requests" : "Bad Request", status, message },
    { status, headers },
  );

export function createTwitchFake(options: TwitchFakeOptions) {
  const appToken = `app-${crypto.randomUUID().replaceAll("-", "")}`;
  const failures = new Map<string, Failure[]>();
  const state = {
    subscriptions: [] as FakeSubscription[],
    chat: [] as { broadcaster_id: string; sender_id: string; message: string; reply_parent_message_id?: string }[],
    whispers: [] as { from: string; to: string; message: string }[],
    calls: [] as { method: string; path: string }[],
    tokensIssued: 0,
  };
  const send = (url: string, init: RequestInit) => (options.deliverFetch ?? fetch)(url, init);

  async function post(sub: FakeSubscription, messageType: string, body: string, opts: { messageId?: string; timestamp?: string } = {}): Promise<Response> {
    const messageId = opts.messageId ?? crypto.randomUUID();
    const timestamp = opts.timestamp ?? new Date().toISOString();
    return send(sub.callback, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "twitch-eventsub-message-id": messageId,
        "twitch-eventsub-message-retry": "0",
        "twitch-eventsub-message-type": messageType,
        "twitch-eventsub-message-timestamp": timestamp,
        "twitch-eventsub-message-signature": await twitchSignature(sub.secret, messageId, timestamp, body),
        "twitch-eventsub-subscription-type": sub.type,
        "twitch-eventsub-subscription-version": "1",
      },
      body,
    });
  }

  function subscriptionObject(sub: FakeSubscription) {
    return {
      id: sub.id,
      status: sub.status,
      type: sub.type,
      version: "1",
      condition: sub.condition,
      transport: { method: "webhook", callback: sub.callback },
      created_at: new Date().toISOString(),
      cost: 0,
    };
  }

  async function createSubscription(body: Record<string, unknown>): Promise<Response> {
    const transport = body.transport as { method?: string; callback?: string; secret?: string } | undefined;
    if (typeof body.type !== "string" || body.version !== "1" || typeof body.condition !== "object" || !body.condition)
      return helixError(400, "missing type, version or condition");
    if (transport?.method !== "webhook" || typeof transport.callback !== "string" || !/^https?:\/\//.test(transport.callback))
      return helixError(400, "transport.callback must be an https URL");
    if (typeof transport.secret !== "string" || transport.secret.length < 10 || transport.secret.length > 100)
      return helixError(400, "transport.secret must be 10-100 characters");
    const condition = body.condition as Record<string, string>;
    const key = JSON.stringify([body.type, condition]);
    if (state.subscriptions.some((s) => JSON.stringify([s.type, s.condition]) === key && s.status === "enabled"))
      return helixError(409, "subscription already exists");
    const sub: FakeSubscription = {
      id: crypto.randomUUID(),
      type: body.type,
      condition,
      callback: transport.callback,
      secret: transport.secret,
      status: "webhook_callback_verification_pending",
    };
    state.subscriptions.push(sub);
    const challenge = `challenge-${crypto.randomUUID()}`;
    const res = await post(sub, "webhook_callback_verification", JSON.stringify({ challenge, subscription: subscriptionObject(sub) })).catch(() => null);
    const echoed = res?.ok ? await res.text() : "";
    sub.status = echoed === challenge ? "enabled" : "webhook_callback_verification_failed";
    return Response.json(
      {
        data: [{ ...subscriptionObject(sub), status: "webhook_callback_verification_pending" }],
        total: state.subscriptions.length,
        total_cost: 0,
        max_total_cost: 10000,
      },
      { status: 202 },
    );
  }

  async function route(request: Request, url: URL): Promise<Response> {
    const path = url.pathname;
    if (request.method === "POST" && path === "/oauth2/token") {
      const form = new URLSearchParams(await request.text());
      if (form.get("grant_type") !== "client_credentials") return helixError(400, "unsupported grant type");
      if (form.get("client_id") !== options.clientId) return helixError(400, "invalid client");
      if (form.get("client_secret") !== options.clientSecret) return Response.json({ status: 403, message: "invalid client secret" }, { status: 403 });
      state.tokensIssued++;
      return Response.json({ access_token: appToken, expires_in: 5011271, token_type: "bearer" });
    }
    if (!path.startsWith("/helix/")) return helixError(404, "not found");
    if (request.headers.get("client-id") !== options.clientId) return helixError(401, "Client ID and OAuth token do not match");
    const bearer = request.headers.get("authorization")?.replace(/^Bearer /, "");
    const asUser = bearer !== undefined && bearer === options.userAccessToken;
    if (bearer !== appToken && !asUser) return helixError(401, "Invalid OAuth token");
    const body = request.method === "POST" ? ((await request.json().catch(() => ({}))) as Record<string, unknown>) : {};

    if (request.method === "POST" && path === "/helix/eventsub/subscriptions") {
      if (asUser) return helixError(400, "webhook subscriptions require an app access token");
      return createSubscription(body);
    }
    if (request.method === "POST" && path === "/helix/chat/messages") {
      if (typeof body.broadcaster_id !== "string" || typeof body.sender_id !== "string")
        return helixError(400, "Missing required parameter broadcaster_id or sender_id");
      if (typeof body.message !== "string" || body.message.length === 0) return helixError(400, "Missing required parameter message");
      if (body.message.length > MAX_MESSAGE) return helixError(400, "The message is too long");
      state.chat.push({
        broadcaster_id: body.broadcaster_id,
        sender_id: body.sender_id,
        message: body.message,
        reply_parent_message_id: typeof body.reply_parent_message_id === "string" ? body.reply_parent_message_id : undefined,
      });
      return Response.json({ data: [{ message_id: crypto.randomUUID(), is_sent: true, drop_reason: null }] });
    }
    if (request.method === "POST" && path === "/helix/whispers") {
      if (!asUser) return helixError(401, "Missing scope: user:manage:whispers (a user access token is required)");
      const from = url.searchParams.get("from_user_id");
      const to = url.searchParams.get("to_user_id");
      if (!from || !to) return helixError(400, "Missing required parameter from_user_id or to_user_id");
      if (typeof body.message !== "string" || body.message.length === 0 || body.message.length > MAX_MESSAGE)
        return helixError(400, "The message is empty or too long");
      state.whispers.push({ from, to, message: body.message });
      return new Response(null, { status: 204 });
    }
    return helixError(404, "not found");
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    state.calls.push({ method: request.method, path: url.pathname });
    const failure = failures.get(url.pathname)?.shift();
    if (failure) {
      const headers: Record<string, string> =
        failure.resetInSeconds !== undefined ? { "ratelimit-reset": String(Math.ceil(Date.now() / 1000) + failure.resetInSeconds) } : {};
      return helixError(failure.status, failure.message, headers);
    }
    return route(request, url);
  }

  const subscriptionOf = (type: string) => {
    const sub = state.subscriptions.find((s) => s.type === type && s.status === "enabled");
    if (!sub) throw new Error(`no enabled ${type} subscription in the Twitch fake`);
    return sub;
  };

  return {
    handle,
    state,
    /** The next `count` calls to `path` fail, e.g. `{status: 429, message: "...", resetInSeconds: 1}`. */
    failNext(path: string, failure: Failure, count = 1) {
      failures.set(path, [...(failures.get(path) ?? []), ...Array.from({ length: count }, () => failure)]);
    },
    /** Sends a notification for an enabled subscription of `type`; `messageId` repeats it like a Twitch retry. */
    notify(type: string, event: unknown, opts: { messageId?: string; timestamp?: string } = {}): Promise<Response> {
      const sub = subscriptionOf(type);
      return post(sub, "notification", JSON.stringify({ subscription: subscriptionObject(sub), event }), opts);
    },
    /** Revokes a subscription the way Twitch does when the user removes the app's authorization. */
    revoke(type: string, status = "authorization_revoked"): Promise<Response> {
      const sub = subscriptionOf(type);
      sub.status = status;
      return post(sub, "revocation", JSON.stringify({ subscription: subscriptionObject(sub) }));
    },
  };
}

export type TwitchFake = ReturnType<typeof createTwitchFake>;
