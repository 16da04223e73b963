/** Shared steps for Worker-layer tests: an admin token, signed webhooks, a fake callback receiver. */
import { env, runInDurableObject, SELF } from "cloudflare:test";
import { afterEach, beforeEach, expect, onTestFinished, vi } from "vitest";
import { conversationAgent } from "../../src/agent/runtime";

export const BASE = "https://gw.test";
export const SETUP_TOKEN = "test-setup-token";
const PASSWORD = "correct horse battery staple";

export async function call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, token?: string, headers: Record<string, string> = {}) {
  const res = await SELF.fetch(`${BASE}${path}`, {
    method,
    headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: json as T, headers: res.headers };
}

/** The admin's token: sets the gateway up on first use, logs in afterwards. */
export async function adminToken(): Promise<string> {
  const setup = await call<{ token: string }>("POST", "/api/auth/setup", { username: "admin", password: PASSWORD, setupToken: SETUP_TOKEN });
  if (setup.status === 201) return setup.body.token;
  const login = await call<{ token: string }>("POST", "/api/auth/login", { username: "admin", password: PASSWORD });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return login.body.token;
}

export async function hmacHex(secret: string, data: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(data)));
  return [...sig].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function signedPost(url: string, secret: string, payload: unknown, opts: { timestamp?: number; raw?: string } = {}) {
  const body = opts.raw ?? JSON.stringify(payload);
  const ts = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const signature = `sha256=${await hmacHex(secret, `${ts}.${body}`)}`;
  return SELF.fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-loopgate-timestamp": ts, "x-loopgate-signature": signature },
    body,
  });
}

export interface CapturedCallback {
  url: string;
  headers: Headers;
  body: { channelId: string; conversationId: string; recipient: string; text: string; inReplyTo: string | null };
  raw: string;
}

/** The end of every route chain: a URL no route matched fails like an unreachable network. */
async function notRouted(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  throw new TypeError(`fetch to ${new Request(input, init).url} is not routed to a fake in this test (worker tests never use the real network)`);
}

/**
 * Replaces the isolate's fetch with `route`, which gets each request and the route installed
 * before it (or notRouted): routes stack, and a test never reaches the real network whatever
 * URL a channel's config names. Returns the undo, which reinstates the route before.
 */
function installRoute(route: (request: Request, next: typeof fetch) => Promise<Response>): () => void {
  const current = globalThis.fetch;
  const previous = vi.isMockFunction(current) ? (current.getMockImplementation() as typeof fetch | undefined) : undefined;
  const next = previous ?? notRouted;
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => route(new Request(input, init), next));
  return () => (previous ? spy.mockImplementation(previous) : spy.mockRestore());
}

/**
 * Sends the Worker's fetches under `base` (its objects share the test isolate, so theirs too) to
 * a platform fake; any other URL goes to an earlier route or fails as a network error. Undone
 * when the calling test ends.
 */
export function routeFetchTo(base: string, handle: (request: Request) => Promise<Response>): void {
  onTestFinished(installRoute((request, next) => (request.url.startsWith(base) ? handle(request) : next(request))));
}

/**
 * Makes every fetch of the calling test that no later route takes fail like an unreachable
 * network, instead of trying the real one (a channel whose config names a host no test serves).
 * Undone when the calling test ends.
 */
export function withoutRealNetwork(): void {
  onTestFinished(installRoute((request, next) => next(request)));
}

/**
 * Intercepts fetches to `https://callback.test/*` (the Worker and its objects share the test
 * isolate) and answers with the scripted statuses in order, then 200.
 */
export function fakeCallbacks(statuses: number[] = []) {
  const captured: CapturedCallback[] = [];
  const script = [...statuses];
  const restore = installRoute(async (request, next) => {
    if (!request.url.startsWith("https://callback.test/")) return next(request);
    const raw = await request.text();
    captured.push({ url: request.url, headers: request.headers, body: JSON.parse(raw) as CapturedCallback["body"], raw });
    const status = script.shift() ?? 200;
    return new Response(status === 200 ? "{}" : "unavailable", { status, headers: status === 429 ? { "retry-after": "0" } : {} });
  });
  return { captured, restore };
}

export async function createWebhookChannel(token: string, extra: Record<string, unknown> = {}) {
  const secret = `secret-${crypto.randomUUID()}`;
  const res = await call<{ channel: { id: string; inboundUrl: string } }>(
    "POST",
    "/api/channels",
    { type: "webhook", name: `hook-${crypto.randomUUID().slice(0, 8)}`, config: { secret, callbackUrl: "https://callback.test/replies" }, ...extra },
    token,
  );
  if (res.status !== 201) throw new Error(`channel create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.channel.id, url: res.body.channel.inboundUrl, secret };
}

export function message(senderId: string, text: string, messageId = crypto.randomUUID()) {
  return { messageId, sender: { id: senderId, name: `Name of ${senderId}` }, text };
}

/** Polls until `check` returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ""}`);
}

/**
 * Waits until a Durable Object has no alarm left: it has no work pending, so a check that
 * something did NOT happen afterwards is final (where a fixed sleep would only make it likely).
 */
export async function untilNoAlarm(stub: DurableObjectStub): Promise<void> {
  await eventually(async () => (await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm())) === null);
}

/**
 * Scheduler tests share their file's D1: each test starts with no model calls recorded (so
 * budgets and usage sums see only its own) and ends with every job paused (an active one would
 * fire on later tests' heartbeats) and the scripted models unmocked.
 */
export function isolateScheduledWork(): void {
  beforeEach(async () => {
    await env.DB.prepare("DELETE FROM api_calls").run();
  });
  afterEach(async () => {
    await env.DB.prepare("UPDATE jobs SET status = 'paused'").run();
    vi.restoreAllMocks();
  });
}

/** A frame the BridgeHub sends a bridge (src/protocol/bridge.ts, container.ts), as a test reads it. */
export type HubFrameSeen = { t: string; id?: string; [k: string]: unknown };

/** A fake bridge on /bridge/connect: opens the link with the bridge's token, says hello and records every frame the hub sends. */
export async function connectFakeBridge<F extends HubFrameSeen = HubFrameSeen>(bridgeToken: string, heartbeatMs = 1000) {
  const res = await SELF.fetch(`${BASE}/bridge/connect`, { headers: { upgrade: "websocket", authorization: `Bearer ${bridgeToken}` } });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const frames: F[] = [];
  ws.addEventListener("message", (e) => frames.push(JSON.parse(String(e.data)) as F));
  ws.accept();
  ws.send(JSON.stringify({ t: "hello", version: "test", heartbeatMs }));
  return { ws, frames, send: (frame: HubFrameSeen) => ws.send(JSON.stringify(frame)) };
}

/** A turn that lasts until `until()` holds, then answers as usual. */
export function slowTurns(until: () => boolean) {
  const real = conversationAgent.runtime(env);
  vi.spyOn(conversationAgent, "runtime").mockReturnValue({
    ...real,
    runTurn: async (req) => {
      await eventually(async () => until(), 10_000);
      return real.runTurn(req);
    },
  });
}
