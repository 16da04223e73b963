/**
 * What the Socket Mode channel needs around bolt: its logger routed into the bridge's JSON log,
 * and the one place where Web API errors become delivery outcomes or start failures.
 */
import { LogLevel, type Logger as BoltLogger, webApi } from "@slack/bolt";
import { isTransientSlackError } from "../../../../src/channels/slack/api";
import type { Logger } from "../../../../src/lib/log";
import type { DeliveryOutcome } from "../shared/types";

/** Codes that mean the token itself is wrong, revoked or of the wrong kind: retrying cannot help. */
const TOKEN_ERRORS = new Set([
  "not_authed",
  "invalid_auth",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "not_allowed_token_type",
  "user_removed_from_team",
  "team_disabled",
  "missing_scope",
]);

/** bolt logs its own chatter at debug level; only warnings and errors reach the bridge's log. */
export function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const text = (msg: unknown[]) => msg.map((m) => (typeof m === "string" ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(" ");
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (...msg: unknown[]) => log.warn("slack", { detail: text(msg) }),
    error: (...msg: unknown[]) => log.error("slack", { detail: text(msg) }),
    setLevel: (l: LogLevel) => (level = l),
    getLevel: () => level,
    setName: () => undefined,
  };
}

function platformCode(err: unknown): string | undefined {
  if (err instanceof Error && (err as { code?: string }).code === webApi.ErrorCode.PlatformError) return (err as webApi.WebAPIPlatformError).data.error;
  return undefined;
}

/** A chat.postMessage failure as a delivery outcome, with how long Slack asked us to wait. */
export function slackDeliveryOutcome(err: unknown): { result: DeliveryOutcome; retryAfterMs?: number } {
  const code = err instanceof Error ? (err as { code?: string }).code : undefined;
  if (code === webApi.ErrorCode.RateLimitedError) {
    const retryAfterMs = (err as webApi.WebAPIRateLimitedError).retryAfter * 1000;
    return { result: { ok: false, retryable: true, error: `Slack rate limit (retry after ${retryAfterMs / 1000}s)` }, retryAfterMs };
  }
  const platform = platformCode(err);
  if (platform) return { result: { ok: false, retryable: isTransientSlackError(platform), error: `Slack: ${platform}` } };
  if (code === webApi.ErrorCode.HTTPError) {
    const status = (err as webApi.WebAPIHTTPError).statusCode;
    return { result: { ok: false, retryable: status >= 500, error: `Slack HTTP ${status}` } };
  }
  // Network errors (WebAPIRequestError) and anything unforeseen: Slack may be reachable again soon.
  return { result: { ok: false, retryable: true, error: `Slack unreachable: ${err instanceof Error ? err.message : String(err)}` } };
}

/** Why starting failed, and whether it is final (a token problem) or worth retrying (the network). */
export function slackStartFailure(err: unknown): { final: boolean; reason: string } {
  const platform = platformCode(err);
  if (platform && TOKEN_ERRORS.has(platform)) {
    return {
      final: true,
      reason: `Slack rejected a token (${platform}): check the bot token (xoxb-) and the app-level token (xapp-, scope connections:write)`,
    };
  }
  if (platform) return { final: false, reason: `Slack refused the connection (${platform})` };
  return { final: false, reason: `cannot reach Slack: ${err instanceof Error ? err.message : String(err)}` };
}
