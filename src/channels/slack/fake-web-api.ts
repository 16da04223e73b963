/**
 * A fake Slack Web API (https://api.slack.com/web) as a web-standard handler, plus Slack's
 * side of the Events API: it signs event deliveries with the app's signing secret (v0 HMAC)
 * and retries them with X-Slack-Retry-Num like Slack does. Errors are HTTP 200
 * `{ok:false, error}` except rate limits, which are HTTP 429 with Retry-After.
 */

export interface SlackFakeOptions {
  botToken: string;
  signingSecret: string;
  /** How events reach the Request URL: global fetch for a real server, SELF.fetch inside workerd. */
  deliverFetch?: (input: string, init: RequestInit) => Promise<Response>;
}

export interface PostedMessage {
  channel: string;
  text: string;
  thread_ts?: string;
  ts: string;
}

type Failure = { status: number; retryAfterSeconds?: number; error: string };

/** Slack truncates messages past 40,000 characters and rejects longer ones from the API. */
const MAX_TEXT = 40_000;

export async function signSlack(signingSecret: string, timestamp: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(signingSecret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`v0:${timestamp}:${body}`)));
  return `v0=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** Headers Slack sends with an event (timestamp in unix seconds). */
export async function slackEventHeaders(signingSecret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Promise<Record<string, string>> {
  const ts = String(timestamp);
  return { "content-type": "application/json", "x-slack-request-timestamp": ts, "x-slack-signature": await signSlack(signingSecret, ts, body) };
}

export function createSlackFake(options: SlackFakeOptions) {
  const failures = new Map<string, Failure[]>();
  const state = { posted: [] as PostedMessage[], calls: [] as { method: string; body: Record<string, unknown> }[] };
  let tsCounter = 1;
  const files = new Map<string, { bytes: Uint8Array<ArrayBuffer>; mimetype: string }>();
  const downloads: { path: string; status: number; authorized: boolean }[] = [];

  /** url_private(_download): the bytes with the bot token; without it Slack serves its sign-in page, not an error status. */
  function download(request: Request, path: string): Response {
    const authorized = request.headers.get("authorization") === `Bearer ${options.botToken}`;
    const file = files.get(path);
    downloads.push({ path, status: file ? 200 : 404, authorized });
    if (!authorized)
      return new Response("<!DOCTYPE html><html><title>Slack</title><body>Sign in to your workspace</body></html>", {
        headers: { "content-type": "text/html; charset=utf-8" },
      });
    if (!file) return new Response("File not found", { status: 404 });
    return new Response(file.bytes, { headers: { "content-type": file.mimetype, "content-length": String(file.bytes.length) } });
  }

  function answer(method: string, body: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case "auth.test":
        return {
          ok: true,
          url: "https://fake-team.slack.com/",
          team: "Fake Team",
          user: "loopgate",
          team_id: "T123ABC456",
          user_id: "U0LAN0Z89",
          bot_id: "B0FAKE01",
          is_enterprise_install: false,
        };
      case "chat.postMessage": {
        if (typeof body.channel !== "string" || body.channel === "") return { ok: false, error: "channel_not_found" };
        if (typeof body.text !== "string" || body.text === "") return { ok: false, error: "no_text" };
        if (body.text.length > MAX_TEXT) return { ok: false, error: "msg_too_long" };
        const ts = `${Math.floor(Date.now() / 1000)}.${String(tsCounter++).padStart(6, "0")}`;
        const thread_ts = typeof body.thread_ts === "string" ? body.thread_ts : undefined;
        state.posted.push({ channel: body.channel, text: body.text, thread_ts, ts });
        return { ok: true, channel: body.channel, ts, message: { type: "message", text: body.text, user: "U0LAN0Z89", bot_id: "B0FAKE01", ts, thread_ts } };
      }
      default:
        return { ok: false, error: "unknown_method" };
    }
  }

  async function handle(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (request.method === "GET" && pathname.startsWith("/files-pri/")) return download(request, pathname);
    const method = new URL(request.url).pathname.split("/").pop() ?? "";
    const auth = request.headers.get("authorization");
    const type = request.headers.get("content-type") ?? "";
    const raw = await request.text();
    const body = (type.includes("application/json") ? JSON.parse(raw || "{}") : Object.fromEntries(new URLSearchParams(raw))) as Record<string, unknown>;
    state.calls.push({ method, body });
    if (!auth) return Response.json({ ok: false, error: "not_authed" });
    if (auth !== `Bearer ${options.botToken}`) return Response.json({ ok: false, error: "invalid_auth" });
    const failure = failures.get(method)?.shift();
    if (failure) {
      const headers: Record<string, string> = failure.retryAfterSeconds !== undefined ? { "retry-after": String(failure.retryAfterSeconds) } : {};
      return Response.json({ ok: false, error: failure.error }, { status: failure.status, headers });
    }
    return Response.json(answer(method, body));
  }

  return {
    handle,
    state,
    downloads,
    /** A file a user shared, served at `/files-pri/<path>` (what the event's url_private_download points to). */
    addFile(path: string, bytes: Uint8Array, mimetype: string) {
      files.set(path, { bytes: new Uint8Array(bytes), mimetype });
    },
    /** The next `count` calls of `method` fail, e.g. `{status: 429, retryAfterSeconds: 1, error: "ratelimited"}`. */
    failNext(method: string, failure: Failure, count = 1) {
      failures.set(method, [...(failures.get(method) ?? []), ...Array.from({ length: count }, () => failure)]);
    },
    /** Posts an event payload to the Request URL, signed; `retryNum` marks it as Slack's nth retry. */
    async deliver(url: string, payload: unknown, opts: { retryNum?: number; timestamp?: number } = {}): Promise<Response> {
      const body = JSON.stringify(payload);
      const headers = await slackEventHeaders(options.signingSecret, body, opts.timestamp);
      if (opts.retryNum) Object.assign(headers, { "x-slack-retry-num": String(opts.retryNum), "x-slack-retry-reason": "http_timeout" });
      return (options.deliverFetch ?? fetch)(url, { method: "POST", headers, body });
    },
  };
}

export type SlackFake = ReturnType<typeof createSlackFake>;
