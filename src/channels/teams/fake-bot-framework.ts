/**
 * A fake of the Bot Framework as a web-standard handler, all under one base URL: the OpenID
 * metadata and its key set (RS256 keys endorsed for msteams), Entra ID's client-credentials token
 * endpoint (`/{tenant}/oauth2/v2.0/token`), and the Connector (`/v3/conversations/{id}/activities
 * [/{replyToId}]`) that checks the bot token, the 28 KB limit and the shape of Adaptive Cards, and
 * answers 201 `{id}`; a PUT to an activity it holds replaces it (Update Activity). It also plays
 * Teams: `deliver` signs an activity's JWT (issuer, audience = app id, serviceurl claim) with its
 * current key and posts it to the messaging endpoint, and `pressButton` presses a card's
 * Action.Submit as Teams does (a message activity whose `value` is the action's data).
 * Media: pictures users paste, on the Connector at `/v3/attachments/{id}/views/original` (bot token
 * required, 401 otherwise), and files sent in personal chats behind OneDrive's pre-authenticated
 * `download.aspx?UniqueId=...&tempauth=...` links (the tempauth must match; a request that also
 * carries an Authorization header is refused, as a bearer token for another audience is).
 * Streaming (personal chats): activities with a `streaminfo` entity go to fake-streams.ts, which
 * checks the protocol; a stream's final message joins `posted` under the stream's id.
 */
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { adaptiveCardProblem } from "./fake-card-check";
import { createFakeStreams, type StreamActivity, streamInfoOf } from "./fake-streams";
import cardSubmit from "./fixtures/card-submit.json";

export interface TeamsFakeOptions {
  appId: string;
  appPassword: string;
  /** Single-tenant app: tokens only from this tenant; otherwise only from botframework.com. */
  tenantId?: string;
  /** Base URL the fake is reached at (serviceUrl, jwks_uri); set later with setBaseUrl for a served fake. */
  baseUrl?: string;
  /** How activities reach the messaging endpoint: global fetch for a real server, SELF.fetch inside workerd. */
  deliverFetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Teams ends streams not finished within two minutes; tests may shorten it. */
  streamTimeLimitMs?: number;
}

export interface PostedActivity {
  /** The id the Connector gave the activity. */
  id: string;
  conversationId: string;
  replyToId?: string;
  activity: {
    type: string;
    text?: string;
    textFormat?: string;
    replyToId?: string;
    attachments?: { contentType: string; content: Record<string, unknown> }[];
    entities?: StreamActivity["entities"];
  };
}

type Failure = { status: number; retryAfterSeconds?: number };
/**
 * A streaming request that fails; `applied`: Teams took it, only its answer is an error (a lost
 * response); `final`: only the final message (true) or only the parts before it (false).
 */
type StreamFailure = Failure & { applied?: boolean; final?: boolean };
type Served = { bytes: Uint8Array<ArrayBuffer>; type: string };
/** One media request the fake answered: which path, its status, and whether it carried an Authorization header. */
export type MediaDownload = { path: string; status: number; authorized: boolean };
type SigningKey = { kid: string; privateKey: CryptoKey; jwk: Record<string, unknown> };

/** Teams refuses activities over about 28 KB. */
const MAX_ACTIVITY_BYTES = 28 * 1024;
const ISSUER = "https://api.botframework.com";
/** Where OneDrive for Business serves a personal file's pre-authenticated download (one path, UniqueId picks the file). */
const ONEDRIVE_DOWNLOAD_PATH = "/personal/meganb_contoso_onmicrosoft_com/_layouts/15/download.aspx";

async function newKey(): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = `fake-${crypto.randomUUID().slice(0, 8)}`;
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, kty: "RSA", use: "sig", endorsements: ["msteams"] } };
}

export async function createTeamsFake(options: TeamsFakeOptions) {
  let baseUrl = options.baseUrl ?? "";
  let keys = [await newKey()];
  const failures: Failure[] = [];
  const issuedTokens = new Set<string>();
  const state = { posted: [] as PostedActivity[], updates: [] as PostedActivity[], typing: [] as string[], tokenRequests: 0, keyRequests: 0 };
  const attachments = new Map<string, Served>();
  const sharePoint = new Map<string, Served & { tempauth: string }>();
  const downloads: MediaDownload[] = [];
  const conversationTypes = new Map<string, string>();
  const streamFailures: StreamFailure[] = [];
  const streams = createFakeStreams({
    timeLimitMs: options.streamTimeLimitMs,
    conversationType: (id) => conversationTypes.get(id),
    keep: (id, conversationId, replyToId, activity) => state.posted.push({ id, conversationId, replyToId, activity: activity as PostedActivity["activity"] }),
  });

  function failure(f: Failure): Response {
    return Response.json(
      { error: { code: f.status === 429 ? "TooManyRequests" : "ServiceError", message: "fake failure" } },
      { status: f.status, headers: f.retryAfterSeconds !== undefined ? { "retry-after": String(f.retryAfterSeconds) } : {} },
    );
  }

  /** A request of Teams' streaming protocol, with any failure a test queued for it. */
  function streaming(
    conversationId: string,
    replyToId: string | undefined,
    activity: PostedActivity["activity"],
    info: NonNullable<ReturnType<typeof streamInfoOf>>,
  ): Response {
    const at = streamFailures.findIndex((f) => f.final === undefined || f.final === (activity.type === "message"));
    const injected = at >= 0 ? streamFailures.splice(at, 1)[0] : undefined;
    if (injected && !injected.applied) return failure(injected);
    const answer = streams.handle(conversationId, replyToId, activity, info);
    return injected ? failure(injected) : answer;
  }

  function served(item: Served): Response {
    return new Response(item.bytes, { headers: { "content-type": item.type, "content-length": String(item.bytes.byteLength) } });
  }

  /** GET {serviceUrl}/v3/attachments/{id}/views/original: the bot token, as for every Connector call. */
  function attachment(id: string, request: Request): Response {
    const auth = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
    const record = (status: number) => downloads.push({ path: new URL(request.url).pathname, status, authorized: !!auth });
    if (!auth || !issuedTokens.has(auth)) {
      record(401);
      return Response.json({ message: "Authorization has been denied for this request." }, { status: 401 });
    }
    const item = attachments.get(id);
    record(item ? 200 : 404);
    return item ? served(item) : Response.json({ error: { code: "NotFound", message: "Attachment not found" } }, { status: 404 });
  }

  /** A OneDrive download link: pre-authenticated by its tempauth, so it takes no bearer token. */
  function download(url: URL, request: Request): Response | null {
    if (url.pathname !== ONEDRIVE_DOWNLOAD_PATH) return null;
    const item = sharePoint.get(url.searchParams.get("UniqueId") ?? "");
    if (!item) {
      downloads.push({ path: url.pathname, status: 404, authorized: request.headers.has("authorization") });
      return Response.json({ error_description: "File Not Found." }, { status: 404 });
    }
    const authorized = request.headers.has("authorization");
    const ok = url.searchParams.get("tempauth") === item.tempauth && !authorized;
    downloads.push({ path: url.pathname, status: ok ? 200 : 401, authorized });
    if (!ok) return Response.json({ error_description: "Invalid JWT token. The token is expired or not valid for this audience." }, { status: 401 });
    return served(item);
  }

  async function token(tenant: string, request: Request): Promise<Response> {
    state.tokenRequests++;
    const form = new URLSearchParams(await request.text());
    const expectedTenant = options.tenantId ?? "botframework.com";
    if (form.get("grant_type") !== "client_credentials") return Response.json({ error: "unsupported_grant_type" }, { status: 400 });
    if (form.get("scope") !== "https://api.botframework.com/.default") return Response.json({ error: "invalid_scope" }, { status: 400 });
    if (form.get("client_id") !== options.appId || tenant !== expectedTenant)
      return Response.json({ error: "unauthorized_client", error_description: "AADSTS700016: Application not found in the directory." }, { status: 400 });
    if (form.get("client_secret") !== options.appPassword)
      return Response.json({ error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret provided." }, { status: 401 });
    const accessToken = `fake-bot-token-${crypto.randomUUID()}`;
    issuedTokens.add(accessToken);
    return Response.json({ token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: accessToken });
  }

  /** The checks every POST and PUT of an activity passes: the bot token, the size, the cards' shape. */
  async function readActivity(request: Request): Promise<PostedActivity["activity"] | Response> {
    const auth = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
    if (!auth || !issuedTokens.has(auth)) return Response.json({ message: "Authorization has been denied for this request." }, { status: 401 });
    const raw = await request.text();
    if (new TextEncoder().encode(raw).byteLength > MAX_ACTIVITY_BYTES)
      return Response.json({ error: { code: "MessageSizeTooBig", message: "Activity body too large for processing." } }, { status: 413 });
    const activity = JSON.parse(raw) as PostedActivity["activity"];
    for (const attachment of activity.attachments ?? []) {
      if (attachment.contentType !== "application/vnd.microsoft.card.adaptive") continue;
      const problem = adaptiveCardProblem(attachment.content);
      if (problem) return Response.json({ error: { code: "BadArgument", message: problem } }, { status: 400 });
    }
    return activity;
  }

  async function update(conversationId: string, activityId: string, request: Request): Promise<Response> {
    const activity = await readActivity(request);
    if (activity instanceof Response) return activity;
    const original = state.posted.find((p) => p.conversationId === conversationId && p.id === activityId);
    if (!original) return Response.json({ error: { code: "ActivityNotFoundInConversation", message: "Unknown activity" } }, { status: 404 });
    if (activity.type !== "message")
      return Response.json({ error: { code: "BadArgument", message: "Only message activities can be updated" } }, { status: 400 });
    original.activity = activity;
    state.updates.push({ id: activityId, conversationId, activity });
    return Response.json({ id: activityId }, { status: 200 });
  }

  async function connector(conversationId: string, replyToId: string | undefined, request: Request): Promise<Response> {
    const activity = await readActivity(request);
    if (activity instanceof Response) return activity;
    const info = streamInfoOf(activity);
    if (info) return streaming(conversationId, replyToId, activity, info);
    if (activity.type === "typing") {
      state.typing.push(conversationId);
      return Response.json({}, { status: 201 });
    }
    const failed = failures.shift();
    if (failed) return failure(failed);
    if (activity.type !== "message" || (!activity.text && !activity.attachments?.length))
      return Response.json({ error: { code: "BadArgument", message: "Activity must be a message with text or attachments" } }, { status: 400 });
    const id = `1:${crypto.randomUUID()}`;
    state.posted.push({ id, conversationId, replyToId, activity });
    return Response.json({ id }, { status: 201 });
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname;
    const image = /^\/v3\/attachments\/([^/]+)\/views\/original$/.exec(path);
    if (image && request.method === "GET") return attachment(decodeURIComponent(image[1] ?? ""), request);
    const file = request.method === "GET" ? download(url, request) : null;
    if (file) return file;
    if (path === "/v1/.well-known/openidconfiguration")
      return Response.json({ issuer: ISSUER, jwks_uri: `${baseUrl}/v1/.well-known/keys`, id_token_signing_alg_values_supported: ["RS256"] });
    if (path === "/v1/.well-known/keys") {
      state.keyRequests++;
      return Response.json({ keys: keys.map((k) => k.jwk) });
    }
    const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
    if (tokenPath && request.method === "POST") return token(decodeURIComponent(tokenPath[1] ?? ""), request);
    const activities = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(path);
    if (activities && request.method === "POST")
      return connector(decodeURIComponent(activities[1] ?? ""), activities[2] ? decodeURIComponent(activities[2]) : undefined, request);
    if (activities?.[2] && request.method === "PUT") return update(decodeURIComponent(activities[1] ?? ""), decodeURIComponent(activities[2]), request);
    return Response.json({ error: { code: "NotFound", message: `no route ${path}` } }, { status: 404 });
  }

  /** A Bot Framework JWT for an activity (overrides let tests forge a wrong issuer, audience or expiry). */
  async function signToken(claims: { serviceUrl: string; audience?: string; issuer?: string; expiresInSeconds?: number; key?: SigningKey }): Promise<string> {
    const key = claims.key ?? keys[0]!;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ serviceurl: claims.serviceUrl })
      .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT" })
      .setIssuer(claims.issuer ?? ISSUER)
      .setAudience(claims.audience ?? options.appId)
      .setIssuedAt(now - 60)
      .setNotBefore(now - 60)
      .setExpirationTime(now + (claims.expiresInSeconds ?? 3600))
      .sign(key.privateKey);
  }

  return {
    handle,
    state,
    downloads,
    /** Streams as the fake Connector saw them, refusals included (fake-streams.ts). */
    streams,
    /** The next `count` streaming requests fail (after being taken, with `applied`). */
    failNextStream(failure: StreamFailure, count = 1) {
      for (let i = 0; i < count; i++) streamFailures.push(failure);
    },
    /** A picture a user pasted; returns its contentUrl on this fake's Connector. */
    addAttachment(bytes: Uint8Array, type = "image/png"): string {
      const id = `0-eus-d3-${crypto.randomUUID().replaceAll("-", "")}`;
      attachments.set(id, { bytes: new Uint8Array(bytes), type });
      return `${baseUrl}/v3/attachments/${id}/views/original`;
    },
    /** A file in the sender's OneDrive; returns its pre-authenticated downloadUrl on this fake. */
    addSharePointFile(bytes: Uint8Array, type = "application/octet-stream"): string {
      const uniqueId = crypto.randomUUID().toUpperCase();
      const tempauth = `v1.${crypto.randomUUID().replaceAll("-", "")}`;
      sharePoint.set(uniqueId, { bytes: new Uint8Array(bytes), type, tempauth });
      return `${baseUrl}${ONEDRIVE_DOWNLOAD_PATH}?UniqueId=${uniqueId}&Translate=false&tempauth=${tempauth}&ApiVersion=2.0`;
    },
    get baseUrl() {
      return baseUrl;
    },
    setBaseUrl(url: string) {
      baseUrl = url.replace(/\/$/, "");
    },
    /** Publishes a new signing key in place of the old ones, as Bot Framework does when it rotates. */
    async rotateKeys() {
      keys = [await newKey()];
    },
    /** A key that is not published, for forged tokens. */
    unpublishedKey: newKey,
    signToken,
    /** The next `count` connector posts fail, e.g. `{status: 429, retryAfterSeconds: 1}`. */
    failNext(failure: Failure, count = 1) {
      for (let i = 0; i < count; i++) failures.push(failure);
    },
    /** Posts an activity (serviceUrl set to this fake) to the messaging endpoint with a signed token; `token: null` sends none. */
    async deliver(url: string, activity: Record<string, unknown>, opts: { token?: string | null } = {}): Promise<Response> {
      const body = { ...activity, serviceUrl: baseUrl };
      // Teams knows each conversation's kind: streaming is refused outside personal chats.
      const conversation = activity.conversation as { id?: unknown; conversationType?: unknown } | undefined;
      if (typeof conversation?.id === "string" && typeof conversation.conversationType === "string")
        conversationTypes.set(conversation.id, conversation.conversationType);
      const token = opts.token === undefined ? await signToken({ serviceUrl: baseUrl }) : opts.token;
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (token) headers.authorization = `Bearer ${token}`;
      return (options.deliverFetch ?? fetch)(url, { method: "POST", headers, body: JSON.stringify(body) });
    },
    /**
     * Presses button `index` of the card the bot posted as `posted`, as `from` in that conversation:
     * Teams sends a message activity without text whose `value` is the Action.Submit's data and
     * whose `replyToId` is the card's activity (fixtures/card-submit.json). Only a card that is
     * still there with its buttons can be pressed.
     */
    async pressButton(url: string, posted: PostedActivity, index: number, from: { id: string; name: string; aadObjectId: string }): Promise<Response> {
      const content = posted.activity.attachments?.[0]?.content as { actions?: { type: string; data?: unknown }[] } | undefined;
      const action = content?.actions?.[index];
      if (action?.type !== "Action.Submit") throw new Error(`the card has no Action.Submit button ${index}`);
      const press = structuredClone(cardSubmit) as Record<string, unknown> & { conversation: Record<string, unknown> };
      Object.assign(press, { id: `${Date.now()}${Math.floor(Math.random() * 1e6)}`, from, replyToId: posted.id, value: action.data });
      press.conversation = { ...press.conversation, id: posted.conversationId };
      return this.deliver(url, press);
    },
  };
}

export type TeamsFake = Awaited<ReturnType<typeof createTeamsFake>>;
