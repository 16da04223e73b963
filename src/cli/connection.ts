/**
 * Which gateway and token a command uses, and the typed API client over them. Resolution:
 * --url, then LOOPGATE_URL, then the stored login's gateway, then the local default; the token
 * from --token, then LOOPGATE_TOKEN, then the login stored for that URL.
 * Network failures and API errors become CliErrors that say what to do.
 */
import { hc } from "hono/client";
import type { AppType } from "../api/app";
import { stringOption } from "./options";
import type { OptionValues } from "./options";
import { credentialsPath, normalizeUrl, readCredentials } from "./credentials";
import { CliError, EXIT } from "./errors";

/** `loopgate start` listens here by default (see docs/cli.md for why not the original 8080). */
export const DEFAULT_URL = "http://127.0.0.1:8787";
const REQUEST_TIMEOUT_MS = 30_000;

export type ApiClient = ReturnType<typeof hc<AppType>>;

export interface Gateway {
  url: string;
  token: string | undefined;
  /** Where the token came from, for `status` and error hints. */
  tokenSource: "--token" | "LOOPGATE_TOKEN" | "stored login" | "none";
  client: ApiClient;
}

export function resolveGateway(values: OptionValues, env: NodeJS.ProcessEnv, options: { anonymous?: boolean } = {}): Gateway {
  const stored = readCredentials(credentialsPath(env));
  const url = normalizeUrl(stringOption(values, "url") ?? (env.LOOPGATE_URL?.trim() || undefined) ?? stored.current ?? DEFAULT_URL);
  const flagToken = stringOption(values, "token");
  const envToken = env.LOOPGATE_TOKEN?.trim() || undefined;
  const storedToken = stored.logins[url]?.token;
  const token = flagToken ?? envToken ?? storedToken;
  const tokenSource = flagToken ? "--token" : envToken ? "LOOPGATE_TOKEN" : storedToken ? "stored login" : "none";
  if (!token && !options.anonymous) {
    throw new CliError(`not logged in to ${url}`, `run \`loopgate login --url ${url}\`, or pass --token / set LOOPGATE_TOKEN`, EXIT.auth);
  }
  const client = hc<AppType>(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    fetch: gatewayFetch(url),
  });
  return { url, token, tokenSource, client };
}

function gatewayFetch(url: string): typeof fetch {
  return async (input, init) => {
    try {
      return await fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (err) {
      throw unreachable(url, err);
    }
  };
}

/** Turns a failed connection into an error that names the gateway and the likely fix. */
export function unreachable(url: string, err: unknown): CliError {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : undefined;
  const code = (cause as { code?: string } | undefined)?.code;
  const reason =
    err instanceof Error && err.name === "TimeoutError"
      ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`
      : code === "ECONNREFUSED"
        ? "connection refused"
        : code === "ENOTFOUND" || code === "EAI_AGAIN"
          ? "host not found"
          : (cause?.message ?? (err instanceof Error ? err.message : String(err)));
  return new CliError(
    `cannot reach the gateway at ${url} (${reason})`,
    url === DEFAULT_URL
      ? "start it with `loopgate start`, or point --url / LOOPGATE_URL at a running gateway"
      : "check the URL and that the gateway is running; --url or LOOPGATE_URL choose another",
    EXIT.unreachable,
  );
}

/**
 * The JSON body of the successful responses a typed call can give. A route's `c.json(x)` has a
 * status Hono types as "any contentful code" (ok: boolean), so only known failures (ok: false,
 * the validators' 400s) are excluded.
 */
export type OkJson<R> = R extends { ok: false } ? never : R extends { json(): Promise<infer T> } ? T : never;

/** Awaits a typed call: its successful body, or a CliError built from the API's `{error}`. */
/** What unwrap needs of a response; structural, since Hono's ClientResponse is not the Workers Response. */
interface ResponseLike {
  ok: boolean;
  status: number;
  headers: Headers;
  text(): Promise<string>;
}

export async function unwrap<R extends ResponseLike>(gateway: Gateway, pending: Promise<R>): Promise<OkJson<R>> {
  const res = await pending;
  const text = await res.text().catch((err: unknown) => {
    throw unreachable(gateway.url, err);
  });
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (res.ok && body !== undefined) return body as OkJson<R>;
  if (res.ok) throw new CliError(`${gateway.url} answered, but not with JSON`, "is --url pointing at a Loopgate gateway?");
  throw apiError(gateway, res.status, body, res.headers);
}

function apiError(gateway: Gateway, status: number, body: unknown, headers: Headers): CliError {
  const message =
    typeof body === "object" && body !== null && typeof (body as { error?: unknown }).error === "string" ? (body as { error: string }).error : `HTTP ${status}`;
  if (status === 401) {
    const hint =
      gateway.tokenSource === "stored login"
        ? `your stored login has expired or was revoked; run \`loopgate login --url ${gateway.url}\``
        : `check the token, or run \`loopgate login --url ${gateway.url}\``;
    return new CliError(`the gateway refused the token: ${message}`, hint, EXIT.auth);
  }
  if (status === 404 && message.startsWith("no route"))
    return new CliError(message, "this gateway does not have that API; is it an older version than this CLI?");
  if (status === 429) {
    const seconds = Number(headers.get("retry-after"));
    return new CliError(message, Number.isFinite(seconds) && seconds > 0 ? `try again in ${seconds} s` : "try again shortly");
  }
  if (status >= 500) return new CliError(`the gateway failed: ${message}`, "its log says why (`loopgate logs`, or the wrangler output)");
  return new CliError(message);
}
