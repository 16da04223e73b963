/**
 * The edges of matrix-js-sdk the Matrix channel needs besides the client itself: the token
 * check before starting (whoami), the SDK's log lines routed into the bridge's JSON log
 * (warnings and errors only; the SDK masks query strings, and no token is in a message), and
 * a send error mapped to a delivery outcome (429 and 5xx retried, with the wait a 429 names;
 * other 4xx final).
 */
import { type Logger as SdkLogger, logger as sdkGlobalLogger } from "matrix-js-sdk/lib/logger.js";
import { MatrixError, safeGetRetryAfterMs } from "matrix-js-sdk";
import type { Logger } from "../../../../src/lib/log";
import type { DeliveryOutcome } from "../shared/types";

export type WhoAmI = { ok: true; userId: string; deviceId?: string } | { ok: false; final: boolean; error: string };

/** GET /account/whoami: who the token belongs to; a 401 is final (the token is wrong or revoked). */
export async function whoAmI(homeserverUrl: string, accessToken: string): Promise<WhoAmI> {
  const url = `${homeserverUrl.replace(/\/+$/, "")}/_matrix/client/v3/account/whoami`;
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${accessToken}` }, signal: AbortSignal.timeout(20_000) });
  } catch (err) {
    return { ok: false, final: false, error: `cannot reach the homeserver: ${err instanceof Error ? err.message : String(err)}` };
  }
  const body = (await res.json().catch(() => ({}))) as { user_id?: string; device_id?: string; errcode?: string };
  if (res.status === 401 || res.status === 403)
    return {
      ok: false,
      final: true,
      error: `the homeserver rejected the access token (${body.errcode ?? res.status}): log the bot in again and update accessToken`,
    };
  if (!res.ok || typeof body.user_id !== "string") return { ok: false, final: false, error: `whoami answered HTTP ${res.status}` };
  return { ok: true, userId: body.user_id, deviceId: body.device_id };
}

export function sendFailure(err: unknown): Extract<DeliveryOutcome, { ok: false }> {
  if (err instanceof MatrixError) {
    const status = err.httpStatus ?? 0;
    const retryable = status === 429 || status >= 500 || status === 0;
    const error = `homeserver refused the reply: ${err.errcode ?? status} ${err.data.error ?? ""}`.trim().slice(0, 400);
    // M_LIMIT_EXCEEDED says how long: `retry_after_ms`, or a Retry-After header (Matrix 1.10).
    const retryAfterMs = status === 429 ? safeGetRetryAfterMs(err, 0) : 0;
    return { ok: false, retryable, error, ...(retryAfterMs > 0 ? { retryAfterMs } : {}) };
  }
  return { ok: false, retryable: true, error: `homeserver unreachable: ${err instanceof Error ? err.message : String(err)}`.slice(0, 400) };
}

/** The SDK's logger: its chatter dropped, its warnings and errors kept as one-line JSON. */
export function sdkLogger(log: Logger, namespace = "matrix-js-sdk"): SdkLogger {
  const text = (msg: unknown[]) =>
    msg
      .map((m) => (m instanceof Error ? m.message : typeof m === "string" ? m : ""))
      .filter(Boolean)
      .join(" ")
      .slice(0, 500);
  const quiet = () => {};
  return {
    trace: quiet,
    debug: quiet,
    info: quiet,
    warn: (...msg: unknown[]) => log.warn("matrix sdk warning", { sdk: namespace, message: text(msg) }),
    error: (...msg: unknown[]) => log.warn("matrix sdk error", { sdk: namespace, message: text(msg) }),
    getChild: (child: string) => sdkLogger(log, `${namespace}:${child}`),
  };
}

/**
 * Parts of the SDK (rooms, timelines, MatrixRTC) log through its global loglevel logger, not the
 * client's: it prints every sent event at info level. Only its warnings and errors are kept.
 */
export function quietSdkGlobalLogger(): void {
  (sdkGlobalLogger as unknown as { setLevel(level: "warn", persist: boolean): void }).setLevel("warn", false);
}
