/**
 * The dashboard's only way to the API: Hono's typed client over the Worker's app type, so an
 * API change that breaks a screen breaks `npm run check`. Adds the session token, and turns a
 * 401 on an authenticated call into "session expired".
 */
import { hc } from "hono/client";
import type { AppType } from "../../../src/api/app";
import { currentSession, signOut } from "../auth/session";

/**
 * Always the page's own origin: the Worker serves the dashboard itself, and the Pages copy
 * forwards the gateway's paths to the Worker (public/_worker.js).
 */
export const API_BASE = location.origin;

async function sessionFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const session = currentSession();
  const headers = new Headers(init?.headers);
  if (session && !headers.has("authorization")) headers.set("authorization", `Bearer ${session.token}`);
  const res = await fetch(input, { ...init, headers });
  // Login answers 401 for a wrong password; everywhere else a 401 means the token is gone.
  if (res.status === 401 && session && !String(input).includes("/api/auth/login")) signOut("expired");
  return res;
}

export const api = hc<AppType>(API_BASE, { fetch: sessionFetch }).api;

/** An API error with the server's `{error}` message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface JsonResponse {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
  text(): Promise<string>;
}

/** The body of the route's success responses: the typed client also lists its `{error}` answers, marked `ok: false`. */
export type SuccessBody<R> = R extends { ok: false } ? never : R extends { json(): Promise<infer T> } ? T : never;

/** Resolves the success body or throws ApiError with the server's message. */
export async function body<R extends JsonResponse>(pending: Promise<R>): Promise<SuccessBody<R>> {
  let res: R;
  try {
    res = await pending;
  } catch (err) {
    throw new ApiError(0, `cannot reach the gateway (${err instanceof Error ? err.message : String(err)})`);
  }
  if (res.ok) return (await res.json()) as SuccessBody<R>;
  const text = await res.text();
  let message = `${res.status} ${text.slice(0, 200)}`;
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === "string") message = parsed.error;
  } catch {
    // not JSON: keep the raw text
  }
  throw new ApiError(res.status, message);
}

/** ws(s):// URL for the live feed. */
export function liveFeedUrl(): string {
  const url = new URL("/api/live", API_BASE);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

/**
 * Browsers cannot set headers on a WebSocket, so the token travels as a subprotocol
 * (`loopgate.bearer.<token>`) rather than in the URL, where access logs would keep it.
 */
export function liveFeedProtocols(token: string): string[] {
  return ["loopgate", `loopgate.bearer.${token}`];
}
