/**
 * A fake Slack Web API (https://api.slack.com/web) as a web-standard handler, plus Slack's
 * side of the Events API: it signs event deliveries with the app's signing secret (v0 HMAC)
 * and retries them with X-Slack-Retry-Num like Slack does. Errors are HTTP 200
 * `{ok:false, error}` except rate limits, which are HTTP 429 with Retry-After. chat.update
 * changes a posted message (message_not_found for one that is not in the channel) and, like
 * Slack's rate tier 3, answers 429 past 50 updates in a minute. Files go up in Slack's three
 * steps: files.getUploadURLExternal (form-encoded only, `filename` and `length` required) gives
 * an upload URL under `/upload/<file id>`, which takes the bytes (raw or one multipart file part)
 * and answers "OK - <bytes>"; files.completeUploadExternal shares uploaded files (file_not_found
 * for one never uploaded or whose bytes differ from the declared length).
 */

import { formEntries } from "../shared/form-entries";

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
  /** Block Kit blocks, when the message has any (an approval prompt's buttons). */
  blocks?: { type: string; elements?: { type: string; action_id?: string; value?: string }[] }[];
}

export interface SharedFile {
  id: string;
  filename: string;
  title?: string;
  bytes: Uint8Array;
  channel_id?: string;
  thread_ts?: string;
  initial_comment?: string;
}

export interface UpdatedMessage {
  channel: string;
  ts: string;
  text: string;
  at: number;
}

type Failure = { status: number; retryAfterSeconds?: number; error: string };

/** Slack truncates messages past 40,000 characters and rejects longer ones from the API. */
const MAX_TEXT = 40_000;
/** Web API tier 3 ("50+ per minute"), held to exactly 50 per rolling minute here. */
const TIER3_PER_MINUTE = 50;
/** Slack's per-file limit: 1 GB. */
const MAX_FILE_BYTES = 1024 * 1024 * 1024;

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

/** At most 50 blocks per message; an actions block holds 1-25 elements; a button's value at most 2000 characters (Block Kit reference). */
function validBlocks(blocks: unknown): boolean {
  if (!Array.isArray(blocks) || blocks.length > 50) return false;
  return blocks.every((b: { type?: unknown; elements?: unknown }) => {
    if (typeof b?.type !== "string") return false;
    if (b.type !== "actions") return true;
    const elements = b.elements;
    return (
      Array.isArray(elements) &&
      elements.length >= 1 &&
      elements.length <= 25 &&
      elements.every(
        (e: { action_id?: unknown; value?: unknown }) =>
          typeof e.action_id === "string" && (e.value === undefined || (typeof e.value === "string" && e.value.length <= 2000)),
      )
    );
  });
}

export function createSlackFake(options: SlackFakeOptions) {
  const failures = new Map<string, Failure[]>();
  const state = {
    posted: [] as PostedMessage[],
    updates: [] as UpdatedMessage[],
    calls: [] as { method: string; body: Record<string, unknown> }[],
    /** chat.postEphemeral messages: shown to one user only. */
    ephemeral: [] as { channel: string; user: string; text: string }[],
    /** Files shared with files.completeUploadExternal, in order. */
    files: [] as SharedFile[],
  };
  /** Uploads started with files.getUploadURLExternal, by file id: the declared name and length, then the bytes. */
  const uploads = new Map<string, { filename: string; length: number; bytes?: Uint8Array }>();
  let fileCounter = 1;
  /** The fake's own origin, for upload URLs (set from the first request). */
  let origin = "https://files.slack.com";
  /** What each posted message shows now, by ts. */
  const shown = new Map<string, { channel: string; text: string }>();
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
        if (body.blocks !== undefined && !validBlocks(body.blocks)) return { ok: false, error: "invalid_blocks" };
        state.posted.push({
          channel: body.channel,
          text: body.text,
          thread_ts,
          ts,
          ...(body.blocks ? { blocks: body.blocks as PostedMessage["blocks"] } : {}),
        });
        shown.set(ts, { channel: body.channel, text: body.text });
        return { ok: true, channel: body.channel, ts, message: { type: "message", text: body.text, user: "U0LAN0Z89", bot_id: "B0FAKE01", ts, thread_ts } };
      }
      case "chat.update": {
        if (typeof body.channel !== "string" || body.channel === "") return { ok: false, error: "channel_not_found" };
        if (typeof body.ts !== "string") return { ok: false, error: "invalid_arguments" };
        const current = shown.get(body.ts);
        if (!current || current.channel !== body.channel) return { ok: false, error: "message_not_found" };
        if ((typeof body.text !== "string" || body.text === "") && body.blocks === undefined) return { ok: false, error: "no_text" };
        if (typeof body.text === "string" && body.text.length > MAX_TEXT) return { ok: false, error: "msg_too_long" };
        if (body.blocks !== undefined && !validBlocks(body.blocks)) return { ok: false, error: "invalid_blocks" };
        if (typeof body.text === "string") current.text = body.text;
        // The posted message keeps its first text (streaming tests compare it with the updates); its blocks are what it shows now.
        const message = state.posted.find((m) => m.channel === body.channel && m.ts === body.ts);
        if (message) message.blocks = body.blocks as PostedMessage["blocks"];
        state.updates.push({ channel: body.channel, ts: body.ts, text: current.text, at: Date.now() });
        return {
          ok: true,
          channel: body.channel,
          ts: body.ts,
          text: current.text,
          message: { type: "message", text: current.text, user: "U0LAN0Z89", bot_id: "B0FAKE01" },
        };
      }
      case "chat.postEphemeral": {
        if (typeof body.channel !== "string" || body.channel === "") return { ok: false, error: "channel_not_found" };
        if (typeof body.user !== "string" || body.user === "") return { ok: false, error: "user_not_found" };
        if (typeof body.text !== "string" || body.text === "") return { ok: false, error: "no_text" };
        state.ephemeral.push({ channel: body.channel, user: body.user, text: body.text });
        return { ok: true, message_ts: `${Math.floor(Date.now() / 1000)}.${String(tsCounter++).padStart(6, "0")}` };
      }
      case "files.getUploadURLExternal": {
        const length = Number(body.length);
        if (typeof body.filename !== "string" || body.filename === "" || !Number.isInteger(length) || length < 1)
          return { ok: false, error: "invalid_arguments" };
        if (length > MAX_FILE_BYTES) return { ok: false, error: "invalid_arguments" };
        const file_id = `F0FAKE${String(fileCounter++).padStart(5, "0")}`;
        uploads.set(file_id, { filename: body.filename, length });
        return { ok: true, upload_url: `${origin}/upload/${file_id}`, file_id };
      }
      case "files.completeUploadExternal": {
        const files = typeof body.files === "string" ? (JSON.parse(body.files) as unknown) : body.files;
        if (!Array.isArray(files) || files.length === 0) return { ok: false, error: "invalid_arguments" };
        const channel = typeof body.channel_id === "string" ? body.channel_id : undefined;
        if (body.thread_ts !== undefined && !channel) return { ok: false, error: "invalid_arguments" };
        const shared: SharedFile[] = [];
        for (const f of files as { id?: string; title?: string }[]) {
          const upload = uploads.get(f.id ?? "");
          if (!upload?.bytes || upload.bytes.byteLength !== upload.length) return { ok: false, error: "file_not_found" };
          shared.push({
            id: f.id ?? "",
            filename: upload.filename,
            title: f.title,
            bytes: upload.bytes,
            channel_id: channel,
            thread_ts: typeof body.thread_ts === "string" ? body.thread_ts : undefined,
            initial_comment: typeof body.initial_comment === "string" ? body.initial_comment : undefined,
          });
        }
        for (const f of shared) uploads.delete(f.id);
        state.files.push(...shared);
        return { ok: true, files: shared.map((f) => ({ id: f.id, name: f.filename, title: f.title ?? f.filename, size: f.bytes.byteLength })) };
      }
      default:
        return { ok: false, error: "unknown_method" };
    }
  }

  /** The upload URL: no token (the URL is the credential), the bytes raw or as one multipart file part. */
  async function receiveUpload(fileId: string, request: Request): Promise<Response> {
    const upload = uploads.get(fileId);
    if (request.method !== "POST" || !upload) return new Response("Not Found", { status: 404 });
    let bytes: Uint8Array;
    if ((request.headers.get("content-type") ?? "").includes("multipart/form-data")) {
      const parts = formEntries(await request.formData())
        .map(([, v]) => v)
        .filter((v): v is File => typeof v !== "string");
      if (parts.length !== 1 || !parts[0]) return new Response("expected one file part", { status: 400 });
      bytes = new Uint8Array(await parts[0].arrayBuffer());
    } else bytes = new Uint8Array(await request.arrayBuffer());
    upload.bytes = bytes;
    return new Response(`OK - ${bytes.byteLength}`, { status: 200 });
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    origin = url.origin;
    if (request.method === "GET" && url.pathname.startsWith("/files-pri/")) return download(request, url.pathname);
    const upload = /\/upload\/(F\w+)$/.exec(url.pathname);
    if (upload?.[1]) return receiveUpload(upload[1], request);
    const method = url.pathname.split("/").pop() ?? "";
    const auth = request.headers.get("authorization");
    const type = request.headers.get("content-type") ?? "";
    const raw = await request.text();
    const body = (type.includes("application/json") ? JSON.parse(raw || "{}") : Object.fromEntries(new URLSearchParams(raw))) as Record<string, unknown>;
    state.calls.push({ method, body });
    if (!auth) return Response.json({ ok: false, error: "not_authed" });
    if (auth !== `Bearer ${options.botToken}`) return Response.json({ ok: false, error: "invalid_auth" });
    // files.getUploadURLExternal documents form encoding only; a JSON body reaches it without arguments.
    if (method === "files.getUploadURLExternal" && !type.includes("application/x-www-form-urlencoded"))
      return Response.json({ ok: false, error: "invalid_arguments" });
    const minuteAgo = Date.now() - 60_000;
    const failure =
      failures.get(method)?.shift() ??
      (method === "chat.update" && state.updates.filter((u) => u.at > minuteAgo).length >= TIER3_PER_MINUTE
        ? { status: 429, retryAfterSeconds: 30, error: "ratelimited" }
        : undefined);
    if (failure) {
      const headers: Record<string, string> = failure.retryAfterSeconds !== undefined ? { "retry-after": String(failure.retryAfterSeconds) } : {};
      return Response.json({ ok: false, error: failure.error }, { status: failure.status, headers });
    }
    return Response.json(answer(method, body));
  }

  return {
    handle,
    state,
    /** What a posted message shows now (its last accepted text). */
    shownText: (ts: string) => shown.get(ts)?.text,
    downloads,
    /** A file a user shared, served at `/files-pri/<path>` (what the event's url_private_download points to). */
    addFile(path: string, bytes: Uint8Array, mimetype: string) {
      files.set(path, { bytes: new Uint8Array(bytes), mimetype });
    },
    /** The next `count` calls of `method` fail, e.g. `{status: 429, retryAfterSeconds: 1, error: "ratelimited"}`. */
    failNext(method: string, failure: Failure, count = 1) {
      failures.set(method, [...(failures.get(method) ?? []), ...Array.from({ length: count }, () => failure)]);
    },
    /**
     * A user clicks a button of a posted message: the block_actions interaction (shaped as
     * fixtures/block-actions.json) goes to the Request URL form-encoded as `payload=`, signed.
     */
    async click(url: string, ts: string, actionId: string, user: { id: string; name: string }, opts: { timestamp?: number } = {}): Promise<Response> {
      const message = state.posted.find((m) => m.ts === ts);
      const action = message?.blocks?.flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId);
      if (!message || !action) throw new Error(`no button ${actionId} on message ${ts}`);
      const payload = {
        type: "block_actions",
        user: { id: user.id, username: user.name, name: user.name, team_id: "T123ABC456" },
        api_app_id: "A0FAKE01",
        token: "verification-token-unused",
        container: { type: "message", message_ts: ts, channel_id: message.channel, is_ephemeral: false },
        trigger_id: `${tsCounter++}.1.fake`,
        team: { id: "T123ABC456", domain: "fake-team" },
        channel: { id: message.channel, name: "directmessage" },
        message: { type: "message", text: message.text, user: "U0LAN0Z89", bot_id: "B0FAKE01", ts },
        response_url: "https://hooks.slack.com/actions/T123ABC456/1/fake",
        actions: [{ ...action, block_id: "approval", type: "button", action_ts: `${Date.now() / 1000}` }],
      };
      const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
      const headers = { ...(await slackEventHeaders(options.signingSecret, body, opts.timestamp)), "content-type": "application/x-www-form-urlencoded" };
      return (options.deliverFetch ?? fetch)(url, { method: "POST", headers, body });
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
