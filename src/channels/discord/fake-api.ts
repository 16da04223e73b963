/**
 * A fake Discord (https://discord.com/developers/docs) as a web-standard handler: the REST
 * endpoints the gateway uses, and Discord's side of interactions. It holds the application's
 * Ed25519 key, signs interactions (signature over timestamp + body), remembers which
 * interactions were deferred so only their tokens can edit `@original` (one message per
 * interaction: later edits change it in place and are listed in `originalEdits`), enforces the
 * 2000-character limit, and checks an Interactions Endpoint URL the way Discord does before
 * saving it: a signed PING must get `{type:1}`, a badly signed one a 401. For the gateway
 * channel it answers GET /gateway/bot with the fake gateway's URL, takes typing indicators,
 * and checks embeds against Discord's embed limits. Messages with files come as multipart/form-data:
 * the JSON in `payload_json`, each file in a part `files[n]` that `attachments[].id` names, at
 * most 10 attachments and 10 MiB together (413 with code 40005 above it, as Discord answers).
 */

import { formEntries } from "../shared/form-entries";

export interface DiscordFakeOptions {
  applicationId: string;
  botToken: string;
  /** How interactions reach the endpoint: global fetch for a real server, SELF.fetch inside workerd. */
  deliverFetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** What GET /gateway/bot answers as `url` (a fake gateway's ws:// URL). */
  gatewayUrl?: string;
}

export interface DiscordMessage {
  id: string;
  /** `original` (the deferred response, edited), `followup`, or `dm`. */
  kind: "original" | "followup" | "dm";
  token?: string;
  channel_id?: string;
  content: string;
  allowed_mentions?: unknown;
  embeds?: Embed[];
  message_reference?: { message_id?: string; fail_if_not_exists?: boolean };
  /** Action rows of buttons (approval prompts). */
  components?: { type: number; components: { type: number; style?: number; label?: string; custom_id?: string }[] }[];
  attachments?: UploadedAttachment[];
}

export interface UploadedAttachment {
  id: number;
  /** The part's form field, `files[n]`. */
  part: string;
  filename: string;
  bytes: Uint8Array;
}

/** Attachments per message, and their bytes together without boosts. */
const MAX_ATTACHMENTS = 10;
const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/**
 * Reads a multipart message body as Discord does: `payload_json` is the message, `files[n]` its
 * files; every attachment the payload lists must name a part by its id. The parsed body carries
 * the files as `attachments`.
 */
async function readMultipart(request: Request): Promise<{ failure: Failure } | { body: Record<string, unknown> }> {
  const form = await request.formData();
  const payload = form.get("payload_json");
  const body = typeof payload === "string" ? (JSON.parse(payload) as Record<string, unknown>) : {};
  const parts = new Map<string, File>();
  for (const [key, value] of formEntries(form)) {
    if (typeof value === "string") continue;
    if (!/^files\[\d+\]$/.test(key)) return { failure: invalidFormBody(key, "BASE_TYPE_BAD_FIELD", "file fields must be named files[n]") };
    parts.set(key, value);
  }
  if (parts.size > MAX_ATTACHMENTS)
    return { failure: invalidFormBody("attachments", "BASE_TYPE_MAX_LENGTH", `Must be ${MAX_ATTACHMENTS} or fewer in length.`) };
  const listed = Array.isArray(body.attachments) ? (body.attachments as { id?: number | string; filename?: string }[]) : [];
  const attachments: UploadedAttachment[] = [];
  let total = 0;
  for (const a of listed) {
    const part = `files[${a.id}]`;
    const file = parts.get(part);
    if (!file) return { failure: invalidFormBody("attachments", "ATTACHMENT_NOT_FOUND", `Attachment data not found for id ${a.id}`) };
    const bytes = new Uint8Array(await file.arrayBuffer());
    total += bytes.byteLength;
    attachments.push({ id: Number(a.id), part, filename: a.filename ?? file.name, bytes });
  }
  if (total > MAX_UPLOAD_BYTES) return { failure: { status: 413, body: { message: "Request entity too large", code: 40005 } } };
  return { body: { ...body, attachments } };
}

interface Embed {
  title?: string;
  description?: string;
  fields?: { name?: string; value?: string }[];
}

/** Discord's embed limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits). */
function embedProblem(embeds: unknown): string | null {
  if (!Array.isArray(embeds) || embeds.length > 10) return "embeds must be an array of at most 10";
  let total = 0;
  for (const e of embeds as Embed[]) {
    if ((e.title?.length ?? 0) > 256) return "embeds.0.title: Must be 256 or fewer in length.";
    if ((e.description?.length ?? 0) > 4096) return "embeds.0.description: Must be 4096 or fewer in length.";
    if ((e.fields?.length ?? 0) > 25) return "embeds.0.fields: Must be 25 or fewer in length.";
    for (const f of e.fields ?? []) {
      if (!f.name || !f.value) return "embeds.0.fields.0: This field is required";
      if (f.name.length > 256 || f.value.length > 1024) return "embeds.0.fields.0: too long";
      total += f.name.length + f.value.length;
    }
    total += (e.title?.length ?? 0) + (e.description?.length ?? 0);
  }
  return total > 6000 ? "embeds: Embed size exceeds maximum size of 6000" : null;
}

type Failure = { status: number; body: Record<string, unknown>; retryAfter?: string };

const MAX_CONTENT = 2000;
const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** Discord's 429 body: `retry_after` in seconds (fractional). */
export function rateLimited(retryAfterSeconds: number): Failure {
  return {
    status: 429,
    body: { message: "You are being rate limited.", retry_after: retryAfterSeconds, global: false },
    retryAfter: String(Math.ceil(retryAfterSeconds)),
  };
}

const invalidFormBody = (field: string, code: string, message: string) => ({
  status: 400,
  body: { code: 50035, message: "Invalid Form Body", errors: { [field]: { _errors: [{ code, message }] } } },
});
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) => Response.json(body, { status, headers });

/** Action rows (type 1) of at most 5 buttons (type 2), each with a label and a 1-100 character custom_id (message components reference). */
function validComponents(rows: unknown): boolean {
  return (
    Array.isArray(rows) &&
    rows.length <= 5 &&
    rows.every(
      (r: { type?: unknown; components?: unknown }) =>
        r.type === 1 &&
        Array.isArray(r.components) &&
        r.components.length >= 1 &&
        r.components.length <= 5 &&
        r.components.every(
          (b: { type?: unknown; custom_id?: unknown; label?: unknown }) =>
            b.type === 2 && typeof b.label === "string" && typeof b.custom_id === "string" && b.custom_id.length >= 1 && b.custom_id.length <= 100,
        ),
    )
  );
}

export async function createDiscordFake(options: DiscordFakeOptions) {
  const keys = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const publicKey = hex((await crypto.subtle.exportKey("raw", keys.publicKey)) as ArrayBuffer);
  const deferred = new Set<string>();
  const inFlight = new Set<string>();
  const failures = new Map<string, Failure[]>();
  const state = {
    messages: [] as DiscordMessage[],
    commands: [] as unknown[],
    endpointUrl: null as string | null,
    /** Channel ids a typing indicator was triggered in, in order. */
    typing: [] as string[],
    interactionResponses: [] as { id: string; status: number; body: unknown }[],
    /** Every accepted PATCH of an `@original`, in order (the message itself is in `messages` once). */
    originalEdits: [] as { token: string; content: string; at: number }[],
  };
  let nextId = 1_100_000_000_000_000_000n;
  const snowflake = () => String(nextId++);

  async function sign(timestamp: string, body: string): Promise<string> {
    return hex(await crypto.subtle.sign("Ed25519", keys.privateKey, new TextEncoder().encode(timestamp + body)));
  }

  async function post(url: string, body: string, signature: string, timestamp: string): Promise<Response> {
    const headers = { "content-type": "application/json", "x-signature-ed25519": signature, "x-signature-timestamp": timestamp };
    return (options.deliverFetch ?? fetch)(url, { method: "POST", headers, body });
  }

  /** Sends an interaction as Discord does; a deferred answer (type 5) lets its token edit `@original`. */
  async function deliver(url: string, interaction: Record<string, unknown>, opts: { badSignature?: boolean } = {}) {
    const body = JSON.stringify({ application_id: options.applicationId, version: 1, ...interaction });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = await sign(timestamp, body);
    // Discord accepts the token as soon as the interaction is answered; the gateway may edit its
    // answer (a quick notice) before this side has read the response, so it counts from the send.
    const token = typeof interaction.token === "string" && !opts.badSignature ? interaction.token : undefined;
    if (token) inFlight.add(token);
    const res = await post(url, body, opts.badSignature ? signature.replace(/^../, signature.startsWith("00") ? "11" : "00") : signature, timestamp).catch(
      (err: unknown) => {
        if (token) inFlight.delete(token);
        throw err;
      },
    );
    const text = await res.text();
    let answer: unknown = text;
    try {
      answer = JSON.parse(text);
    } catch {
      // not JSON
    }
    state.interactionResponses.push({ id: String(interaction.id), status: res.status, body: answer });
    if (res.ok && (answer as { type?: number }).type === 5 && typeof interaction.token === "string") deferred.add(interaction.token);
    if (token) inFlight.delete(token);
    return { status: res.status, body: answer };
  }

  /**
   * A user clicks a button of a message the app sent: a MESSAGE_COMPONENT interaction (as the
   * components reference documents it) goes to the endpoint, signed; an UPDATE_MESSAGE answer
   * edits the message, as Discord applies it.
   */
  async function click(url: string, messageId: string, customId: string, user: { id: string; username: string }) {
    const m = state.messages.find((x) => x.id === messageId);
    if (!m?.components?.some((r) => r.components.some((b) => b.custom_id === customId))) throw new Error(`message ${messageId} has no button ${customId}`);
    const interaction = {
      id: snowflake(),
      type: 3,
      token: `component-${snowflake()}`,
      channel_id: m.channel_id,
      user: { ...user, discriminator: "0", global_name: null },
      message: { id: m.id, channel_id: m.channel_id, content: m.content, components: m.components },
      data: { custom_id: customId, component_type: 2 },
    };
    const res = await deliver(url, interaction);
    const answer = res.body as { type?: number; data?: { content?: string; components?: DiscordMessage["components"] } };
    if (res.status === 200 && answer.type === 7 && answer.data) {
      if (typeof answer.data.content === "string") m.content = answer.data.content;
      if (answer.data.components !== undefined) m.components = answer.data.components;
    }
    return res;
  }

  /** Discord's check of a new Interactions Endpoint URL. */
  async function endpointAccepted(url: string): Promise<boolean> {
    const ping = { id: snowflake(), type: 1, token: "validation-token" };
    const good = await deliver(url, ping).catch(() => null);
    const bad = await deliver(url, { ...ping, id: snowflake() }, { badSignature: true }).catch(() => null);
    return good?.status === 200 && (good.body as { type?: number }).type === 1 && bad?.status === 401;
  }

  function message(kind: DiscordMessage["kind"], body: Record<string, unknown>, extra: Partial<DiscordMessage>): Failure | DiscordMessage {
    const content = typeof body.content === "string" ? body.content : "";
    if (body.embeds !== undefined) {
      const problem = embedProblem(body.embeds);
      if (problem) return invalidFormBody("embeds", "BASE_TYPE_BAD_LENGTH", problem);
    }
    // A message needs content or an embed (Discord: "Cannot send an empty message", code 50006).
    const files = Array.isArray(body.attachments) ? (body.attachments as UploadedAttachment[]) : [];
    if (content === "" && files.length === 0 && !(Array.isArray(body.embeds) && body.embeds.length > 0))
      return { status: 400, body: { code: 50006, message: "Cannot send an empty message" } };
    if (content.length > MAX_CONTENT) return invalidFormBody("content", "BASE_TYPE_MAX_LENGTH", `Must be ${MAX_CONTENT} or fewer in length.`);
    if (body.components !== undefined && !validComponents(body.components))
      return invalidFormBody("components", "COMPONENT_INVALID", "Invalid action row or button (custom_id 1-100 characters, at most 5 buttons per row).");
    const m: DiscordMessage = {
      id: snowflake(),
      kind,
      content,
      allowed_mentions: body.allowed_mentions,
      embeds: body.embeds as Embed[] | undefined,
      message_reference: body.message_reference as DiscordMessage["message_reference"],
      ...(body.components ? { components: body.components as DiscordMessage["components"] } : {}),
      ...(files.length ? { attachments: files } : {}),
      ...extra,
    };
    state.messages.push(m);
    if (kind === "original" && extra.token) state.originalEdits.push({ token: extra.token, content, at: Date.now() });
    return m;
  }

  async function route(method: string, path: string, request: Request, body: Record<string, unknown>): Promise<Failure | { status: number; body: unknown }> {
    const botAuthorized = request.headers.get("authorization") === `Bot ${options.botToken}`;
    const unauthorized = { status: 401, body: { message: "401: Unauthorized", code: 0 } };
    const app = options.applicationId;
    const hook = new RegExp(`^/webhooks/${app}/([^/]+)(/messages/@original)?$`).exec(path);
    if (hook) {
      const token = decodeURIComponent(hook[1] ?? "");
      if (!deferred.has(token) && !inFlight.has(token)) return { status: 401, body: { message: "Invalid Webhook Token", code: 50027 } };
      const kind = hook[2] && method === "PATCH" ? "original" : !hook[2] && method === "POST" ? "followup" : null;
      if (!kind) return { status: 405, body: { message: "405: Method Not Allowed", code: 0 } };
      const existing = kind === "original" ? state.messages.find((o) => o.kind === "original" && o.token === token) : undefined;
      if (existing) {
        const edited = message("original", body, { token });
        if ("status" in edited) return edited;
        state.messages.pop();
        existing.content = edited.content;
        return { status: 200, body: { id: existing.id, type: 0, content: existing.content } };
      }
      const m = message(kind, body, { token });
      return "status" in m ? m : { status: 200, body: { id: m.id, type: 0, content: m.content } };
    }
    if (!botAuthorized) return unauthorized;
    if (method === "PUT" && path === `/applications/${app}/commands`) {
      const commands = body as unknown as { name?: string; description?: string }[];
      if (!Array.isArray(commands)) return invalidFormBody("_", "MODEL_TYPE_CONVERT", "Only iterables may be used in a ListType");
      const bad = commands.find((c) => !/^[-_\p{Ll}\p{N}]{1,32}$/u.test(c.name ?? "") || !c.description || c.description.length > 100);
      if (bad) return invalidFormBody("name", "APPLICATION_COMMAND_INVALID_NAME", `Command name is invalid: ${String(bad.name)}`);
      state.commands = commands.map((c) => ({ ...c, id: snowflake(), application_id: app, version: snowflake() }));
      return { status: 200, body: state.commands };
    }
    if (method === "PATCH" && path === "/applications/@me") {
      const url = body.interactions_endpoint_url;
      if (typeof url === "string") {
        if (!(await endpointAccepted(url)))
          return invalidFormBody(
            "interactions_endpoint_url",
            "APPLICATION_INTERACTIONS_ENDPOINT_URL_INVALID",
            "The specified interactions endpoint url could not be verified.",
          );
        state.endpointUrl = url;
      }
      return { status: 200, body: { id: app, name: "Loopgate", interactions_endpoint_url: state.endpointUrl } };
    }
    if (method === "GET" && path === "/users/@me") return { status: 200, body: { id: app, username: "loopgate", discriminator: "0", bot: true } };
    if (method === "GET" && path === "/gateway/bot") {
      if (!options.gatewayUrl) return { status: 404, body: { message: "404: Not Found", code: 0 } };
      const limit = { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 };
      return { status: 200, body: { url: options.gatewayUrl, shards: 1, session_start_limit: limit } };
    }
    const typing = /^\/channels\/([^/]+)\/typing$/.exec(path);
    if (method === "POST" && typing) {
      // Trigger Typing Indicator is a bot endpoint: it needs the bot token, like every channel route.
      if (!botAuthorized) return unauthorized;
      state.typing.push(typing[1] ?? "");
      return { status: 204, body: null };
    }
    if (method === "POST" && path === "/users/@me/channels") return { status: 200, body: { id: `dm-${String(body.recipient_id)}`, type: 1 } };
    const channel = /^\/channels\/([^/]+)\/messages$/.exec(path);
    if (method === "POST" && channel) {
      const m = message("dm", body, { channel_id: channel[1] });
      return "status" in m ? m : { status: 200, body: { id: m.id, channel_id: channel[1], content: m.content, embeds: m.embeds ?? [] } };
    }
    return { status: 404, body: { message: "404: Not Found", code: 0 } };
  }

  const cdn = new Map<string, { bytes: Uint8Array<ArrayBuffer>; contentType: string }>();
  const cdnDownloads: { path: string; status: number }[] = [];

  /** Discord's CDN: attachment URLs are signed (`ex`, `is`, `hm`) and need no token; unsigned ones answer 404. */
  function cdnFile(url: URL): Response {
    const file = cdn.get(url.pathname);
    const signed = ["ex", "is", "hm"].every((p) => url.searchParams.has(p));
    cdnDownloads.push({ path: url.pathname, status: file && signed ? 200 : 404 });
    if (!file || !signed) return new Response("This content is no longer available.", { status: 404 });
    return new Response(file.bytes, { headers: { "content-type": file.contentType, "content-length": String(file.bytes.length) } });
  }

  async function handle(request: Request): Promise<Response> {
    const cdnUrl = new URL(request.url);
    if (request.method === "GET" && cdnUrl.pathname.startsWith("/attachments/")) return cdnFile(cdnUrl);
    const path = new URL(request.url).pathname.replace(/^\/api(\/v\d+)?/, "");
    let body: Record<string, unknown> = {};
    if ((request.headers.get("content-type") ?? "").includes("multipart/form-data")) {
      const read = await readMultipart(request);
      if ("failure" in read) return json(read.failure.body, read.failure.status);
      body = read.body;
    } else {
      const raw = request.method === "GET" ? "" : await request.text();
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    }
    const key = `${request.method} ${path.replace(/\/webhooks\/(\d+)\/[^/]+/, "/webhooks/$1/:token")}`;
    const failure = failures.get(key)?.shift();
    if (failure) return json(failure.body, failure.status, failure.retryAfter ? { "retry-after": failure.retryAfter } : {});
    const result = await route(request.method, path, request, body);
    if (result.status === 204) return new Response(null, { status: 204 });
    return json(result.body, result.status);
  }

  return {
    handle,
    state,
    cdnDownloads,
    /** A file on the CDN at `/attachments/<channel>/<id>/<name>`; returns the signed path and query to put after the fake's base URL. */
    addCdnFile(channelId: string, filename: string, bytes: Uint8Array, contentType: string): string {
      const path = `/attachments/${channelId}/${snowflake()}/${filename}`;
      cdn.set(path, { bytes: new Uint8Array(bytes), contentType });
      return `${path}?ex=${Math.floor(Date.now() / 1000 + 86_400).toString(16)}&is=${Math.floor(Date.now() / 1000).toString(16)}&hm=${"ab".repeat(32)}&`;
    },
    publicKey,
    deliver,
    sign,
    click,
    /** Fails the next calls of a route, keyed like `PATCH /webhooks/<app id>/:token/messages/@original`. */
    failNext(key: string, failure: Failure, count = 1) {
      failures.set(key, [...(failures.get(key) ?? []), ...Array.from({ length: count }, () => failure)]);
    },
  };
}

export type DiscordFake = Awaited<ReturnType<typeof createDiscordFake>>;
