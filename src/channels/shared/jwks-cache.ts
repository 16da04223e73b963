/**
 * Verifies platform-signed JWTs (stage 1 for Teams and Google Chat) against a published key set.
 * Key sets are cached per isolate for KEY_SET_TTL_MS and fetched again when a token names an
 * unknown `kid` (keys rotate), at most once per REFRESH_COOLDOWN_MS, so forged tokens with
 * random kids cannot make the gateway hammer the key server.
 */
import { errors, importJWK, type JWK, type JWTPayload, jwtVerify } from "jose";

export const KEY_SET_TTL_MS = 24 * 60 * 60_000;
export const REFRESH_COOLDOWN_MS = 60_000;

/** A published key; Bot Framework adds `endorsements` (the channel ids the key may sign for). */
export type PublishedKey = JWK & { kid?: string; endorsements?: string[] };

interface CachedSet {
  keys: PublishedKey[];
  fetchedAt: number;
  /** When an unknown kid last forced a fetch. */
  forcedAt: number;
}

const keySets = new Map<string, CachedSet>();

async function loadKeySet(url: string, fetcher: typeof fetch, now: number): Promise<PublishedKey[]> {
  const res = await fetcher(url, { headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`key set ${url} answered HTTP ${res.status}`);
  const body = (await res.json()) as { keys?: unknown };
  if (!Array.isArray(body.keys)) throw new Error(`key set ${url} has no keys array`);
  const cached = keySets.get(url);
  keySets.set(url, { keys: body.keys as PublishedKey[], fetchedAt: now, forcedAt: cached?.forcedAt ?? 0 });
  return body.keys as PublishedKey[];
}

/** The published key with this kid, from the cache or a fresh fetch; undefined when the set has none. */
export async function findKey(url: string, kid: string, fetcher: typeof fetch, now: number): Promise<PublishedKey | undefined> {
  const cached = keySets.get(url);
  const fresh = cached && now - cached.fetchedAt < KEY_SET_TTL_MS;
  const keys = fresh ? cached.keys : await loadKeySet(url, fetcher, now);
  const hit = keys.find((k) => k.kid === kid);
  if (hit || !fresh || now - cached.forcedAt < REFRESH_COOLDOWN_MS) return hit;
  cached.forcedAt = now;
  return (await loadKeySet(url, fetcher, now)).find((k) => k.kid === kid);
}

const jsonDocs = new Map<string, { value: unknown; fetchedAt: number }>();

/** A JSON document (OpenID metadata) cached per isolate for KEY_SET_TTL_MS. */
export async function cachedJson(url: string, fetcher: typeof fetch, now: number): Promise<unknown> {
  const cached = jsonDocs.get(url);
  if (cached && now - cached.fetchedAt < KEY_SET_TTL_MS) return cached.value;
  const res = await fetcher(url, { headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}`);
  const value: unknown = await res.json();
  jsonDocs.set(url, { value, fetchedAt: now });
  return value;
}

export interface JwtRules {
  keySetUrl: string;
  /** Accepted `iss` values. */
  issuers: string[];
  audience: string;
  clockToleranceSeconds: number;
  fetch: typeof fetch;
  now: number;
}

export type JwtCheck = { ok: true; payload: JWTPayload; key: PublishedKey } | { ok: false; error: string };

/** RS256 only: a token naming another algorithm (or `none`) is refused before any key lookup. */
export async function verifyJwt(token: string, rules: JwtRules): Promise<JwtCheck> {
  const [headerPart] = token.split(".");
  let header: { alg?: unknown; kid?: unknown };
  try {
    header = JSON.parse(new TextDecoder().decode(base64UrlBytes(headerPart ?? ""))) as typeof header;
  } catch {
    return { ok: false, error: "bearer token is not a JWT" };
  }
  if (header.alg !== "RS256") return { ok: false, error: "token must be signed with RS256" };
  if (typeof header.kid !== "string") return { ok: false, error: "token header has no kid" };
  let key: PublishedKey | undefined;
  try {
    key = await findKey(rules.keySetUrl, header.kid, rules.fetch, rules.now);
  } catch (err) {
    return { ok: false, error: `signing keys unavailable: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (!key) return { ok: false, error: `no published signing key with kid ${header.kid}` };
  try {
    const { payload } = await jwtVerify(token, await importJWK({ ...key, alg: "RS256" }, "RS256"), {
      algorithms: ["RS256"],
      issuer: rules.issuers,
      audience: rules.audience,
      clockTolerance: rules.clockToleranceSeconds,
      currentDate: new Date(rules.now),
    });
    return { ok: true, payload, key };
  } catch (err) {
    if (err instanceof errors.JOSEError) return { ok: false, error: `token rejected: ${err.message}` };
    throw err;
  }
}

function base64UrlBytes(text: string): Uint8Array {
  const b64 = text.replaceAll("-", "+").replaceAll("_", "/");
  return Uint8Array.from(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(headers: Headers): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(headers.get("authorization") ?? "");
  return match?.[1] ?? null;
}
