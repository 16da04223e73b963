/**
 * A fake of Google's side of a Chat app as a web-standard handler under one base URL: the Chat
 * service account's key set (`/service_accounts/v1/jwk/chat@system.gserviceaccount.com`), Google's
 * ID-token keys (`/oauth2/v3/certs`), the OAuth token endpoint (`/token`, jwt-bearer grant whose
 * assertion it verifies against the app's service-account key) and `spaces.messages.create`
 * (bearer token, 4,096-character text, requestId idempotency, 429 RESOURCE_EXHAUSTED). It also
 * plays Chat: `deliver` signs an event's bearer token for either audience setting. Media:
 * `media.download` (`GET /v1/media/{resourceName}?alt=media`, bearer token; without `alt=media` the
 * Media resource's JSON, as Google answers) serves what `addMedia` uploaded.
 */
import { exportJWK, exportPKCS8, generateKeyPair, jwtVerify, SignJWT } from "jose";

export interface ChatFakeOptions {
  baseUrl?: string;
  deliverFetch?: (input: string, init: RequestInit) => Promise<Response>;
}

export interface CreatedMessage {
  space: string;
  requestId: string | null;
  messageReplyOption: string | null;
  body: { text?: string; thread?: { name: string }; cardsV2?: { cardId: string; card: Record<string, unknown> }[]; fallbackText?: string };
  name: string;
}

type Failure = { status: number; retryAfterSeconds?: number };
/** One media request the fake answered, and whether it carried a token the fake issued. */
export type MediaDownload = { resourceName: string; status: number; authorized: boolean };
const MAX_TEXT = 4096;
const CHAT_SA = "chat@system.gserviceaccount.com";

async function signingKey() {
  const pair = await generateKeyPair("RS256", { extractable: true });
  const kid = crypto.randomUUID().replaceAll("-", "");
  return { kid, privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid, alg: "RS256", use: "sig" } };
}

export async function createChatFake(options: ChatFakeOptions = {}) {
  let baseUrl = options.baseUrl ?? "";
  const chatKey = await signingKey();
  const googleKey = await signingKey();
  const appKeyPair = await generateKeyPair("RS256", { extractable: true });
  const clientEmail = `loopgate-chat@fake-project.iam.gserviceaccount.com`;
  const tokens = new Set<string>();
  const failures: Failure[] = [];
  const byRequestId = new Map<string, CreatedMessage>();
  const state = { created: [] as CreatedMessage[], tokenRequests: 0 };
  const media = new Map<string, { bytes: Uint8Array<ArrayBuffer>; type: string }>();
  const downloads: MediaDownload[] = [];

  const unauthenticated = () =>
    Response.json({ error: { code: 401, message: "Request had invalid authentication credentials.", status: "UNAUTHENTICATED" } }, { status: 401 });

  function download(resourceName: string, request: Request): Response {
    const auth = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
    const authorized = !!auth && tokens.has(auth);
    const item = media.get(resourceName);
    const status = !authorized ? 401 : item ? 200 : 404;
    downloads.push({ resourceName, status, authorized });
    if (!authorized) return unauthenticated();
    if (!item) return Response.json({ error: { code: 404, message: "Requested entity was not found.", status: "NOT_FOUND" } }, { status: 404 });
    if (new URL(request.url).searchParams.get("alt") !== "media") return Response.json({ resourceName });
    return new Response(item.bytes, { headers: { "content-type": item.type, "content-length": String(item.bytes.byteLength) } });
  }

  async function token(request: Request): Promise<Response> {
    state.tokenRequests++;
    const form = new URLSearchParams(await request.text());
    if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") return Response.json({ error: "unsupported_grant_type" }, { status: 400 });
    try {
      const { payload } = await jwtVerify(form.get("assertion") ?? "", appKeyPair.publicKey, { issuer: clientEmail, audience: `${baseUrl}/token` });
      if (payload.scope !== "https://www.googleapis.com/auth/chat.bot") return Response.json({ error: "invalid_scope" }, { status: 400 });
    } catch {
      return Response.json({ error: "invalid_grant", error_description: "Invalid JWT Signature." }, { status: 400 });
    }
    const accessToken = `ya29.fake-${crypto.randomUUID()}`;
    tokens.add(accessToken);
    return Response.json({ access_token: accessToken, expires_in: 3599, token_type: "Bearer" });
  }

  async function create(space: string, request: Request): Promise<Response> {
    const auth = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
    if (!auth || !tokens.has(auth)) return unauthenticated();
    const failure = failures.shift();
    if (failure)
      return Response.json(
        { error: { code: failure.status, message: "fake failure", status: failure.status === 429 ? "RESOURCE_EXHAUSTED" : "UNAVAILABLE" } },
        { status: failure.status, headers: failure.retryAfterSeconds !== undefined ? { "retry-after": String(failure.retryAfterSeconds) } : {} },
      );
    const url = new URL(request.url);
    const requestId = url.searchParams.get("requestId");
    const existing = requestId ? byRequestId.get(`${space}/${requestId}`) : undefined;
    if (existing) return Response.json({ name: existing.name });
    const body = (await request.json()) as CreatedMessage["body"];
    if (!body.text && !body.cardsV2?.length)
      return Response.json({ error: { code: 400, message: "Message cannot be empty.", status: "INVALID_ARGUMENT" } }, { status: 400 });
    if ((body.text ?? "").length > MAX_TEXT)
      return Response.json({ error: { code: 400, message: "Message text is too long.", status: "INVALID_ARGUMENT" } }, { status: 400 });
    const message: CreatedMessage = {
      space,
      requestId,
      messageReplyOption: url.searchParams.get("messageReplyOption"),
      body,
      name: `${space}/messages/${crypto.randomUUID()}`,
    };
    state.created.push(message);
    if (requestId) byRequestId.set(`${space}/${requestId}`, message);
    return Response.json({ name: message.name, text: body.text, thread: body.thread });
  }

  async function handle(request: Request): Promise<Response> {
    const path = decodeURIComponent(new URL(request.url).pathname);
    if (path === `/service_accounts/v1/jwk/${CHAT_SA}`) return Response.json({ keys: [chatKey.jwk] });
    if (path === "/oauth2/v3/certs") return Response.json({ keys: [googleKey.jwk] });
    if (path === "/token" && request.method === "POST") return token(request);
    const raw = new URL(request.url).pathname;
    if (raw.startsWith("/v1/media/") && request.method === "GET")
      return download(raw.slice("/v1/media/".length).split("/").map(decodeURIComponent).join("/"), request);
    const messages = /^\/v1\/(spaces\/[\w-]+)\/messages$/.exec(path);
    if (messages && request.method === "POST") return create(messages[1] ?? "", request);
    return Response.json({ error: { code: 404, message: `no route ${path}`, status: "NOT_FOUND" } }, { status: 404 });
  }

  /** A bearer token as Chat sends it: project-number audience (Chat's own key) or endpoint URL (a Google ID token). */
  async function signEventToken(
    audience: { projectNumber: string } | { endpointUrl: string },
    overrides: { email?: string; expiresInSeconds?: number; forged?: boolean } = {},
  ) {
    const now = Math.floor(Date.now() / 1000);
    const key = "projectNumber" in audience ? chatKey : googleKey;
    const privateKey = overrides.forged ? (await signingKey()).privateKey : key.privateKey;
    const claims = "projectNumber" in audience ? {} : { email: overrides.email ?? CHAT_SA, email_verified: true };
    return new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT" })
      .setIssuer("projectNumber" in audience ? CHAT_SA : "https://accounts.google.com")
      .setAudience("projectNumber" in audience ? audience.projectNumber : audience.endpointUrl)
      .setIssuedAt(now - 10)
      .setExpirationTime(now + (overrides.expiresInSeconds ?? 3600))
      .sign(privateKey);
  }

  return {
    handle,
    state,
    downloads,
    /** Content a user uploaded with a message, downloadable under its attachmentDataRef.resourceName. */
    addMedia(resourceName: string, bytes: Uint8Array, type: string) {
      media.set(resourceName, { bytes: new Uint8Array(bytes), type });
    },
    setBaseUrl(url: string) {
      baseUrl = url.replace(/\/$/, "");
    },
    /** The app's service-account JSON key, as the Cloud console downloads it (token_uri = this fake). */
    async serviceAccountKey(): Promise<string> {
      return JSON.stringify({
        type: "service_account",
        project_id: "fake-project",
        private_key_id: "0123456789abcdef",
        private_key: await exportPKCS8(appKeyPair.privateKey),
        client_email: clientEmail,
        client_id: "100000000000000000001",
        token_uri: `${baseUrl}/token`,
      });
    },
    signEventToken,
    failNext(failure: Failure, count = 1) {
      for (let i = 0; i < count; i++) failures.push(failure);
    },
    /** Posts an event with a bearer token for `audience` (or `token`, or none when null). */
    async deliver(url: string, event: unknown, audience: { projectNumber: string } | { endpointUrl: string }, opts: { token?: string | null } = {}) {
      const token = opts.token === undefined ? await signEventToken(audience) : opts.token;
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (token) headers.authorization = `Bearer ${token}`;
      return (options.deliverFetch ?? fetch)(url, { method: "POST", headers, body: JSON.stringify(event) });
    },
  };
}

export type ChatFake = Awaited<ReturnType<typeof createChatFake>>;
