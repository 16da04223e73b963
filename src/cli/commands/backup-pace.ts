/**
 * Export and import make a request per page and per sender, so a large gateway runs into the
 * API's per-client rate limit (API_RATE_LIMIT_PER_MINUTE). Instead of failing half-way, a 429
 * is waited out for as long as its Retry-After says, then the same request is sent again.
 */
import { type Gateway, type OkJson, unwrap } from "../connection";

const MAX_RATE_LIMIT_WAITS = 30;
const DEFAULT_WAIT_S = 5;

interface ResponseLike {
  ok: boolean;
  status: number;
  headers: Headers;
  text(): Promise<string>;
}

export async function paced<R extends ResponseLike>(gw: Gateway, call: () => Promise<R>): Promise<OkJson<R>> {
  for (let waits = 0; ; waits++) {
    const res = await call();
    if (res.status !== 429 || waits >= MAX_RATE_LIMIT_WAITS) return unwrap(gw, Promise.resolve(res));
    const seconds = Number(res.headers.get("retry-after"));
    await res.text().catch(() => "");
    await new Promise((r) => setTimeout(r, (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_WAIT_S) * 1000));
  }
}
