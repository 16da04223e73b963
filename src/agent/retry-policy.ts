/**
 * What to do when a model call fails. Overload (529), rate limits that say when to come back
 * (429 + retry-after), server errors, timeouts and broken connections or streams are retried
 * with exponential backoff; the server's retry-after wins when it asks for longer. A request
 * the API rejects (400, 401, 403, 404, 413) or a 429 without retry-after (a spend limit: waiting
 * will not help) is not retried: the admin must act, and the sender is told plainly.
 */
import { APIError } from "@anthropic-ai/sdk/error";

export interface RetryPolicy {
  /** Total attempts per model request, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  /** A server asking to wait longer than this is treated as a failure, not waited for. */
  maxWaitMs: number;
}

export type FailureDecision =
  | { retry: true; waitMs: number; reason: string }
  | { retry: false; reason: string; kind: "unavailable" | "busy"; status: number | null; adminAction: boolean };

/** The wait a response asks for, from `retry-after-ms` or `retry-after` (seconds or an HTTP date). */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | null {
  const ms = headers?.get("retry-after-ms");
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers?.get("retry-after");
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

export function backoffMs(policy: RetryPolicy, attempt: number, random = Math.random): number {
  const exp = policy.baseDelayMs * 2 ** (attempt - 1);
  return Math.min(policy.maxWaitMs, Math.round(exp * (0.75 + random() * 0.5)));
}

function describe(err: unknown): string {
  if (err instanceof APIError) {
    const parts = [err.status ? String(err.status) : "connection", err.type ?? undefined, err.errorCode ?? undefined, err.apiMessage ?? err.message].filter(
      Boolean,
    );
    return parts.join(" ") + (err.requestID ? ` (request ${err.requestID})` : "");
  }
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Decides after a failed attempt (`attempt` counts from 1). */
export function decide(err: unknown, attempt: number, policy: RetryPolicy, now = Date.now()): FailureDecision {
  const reason = describe(err);
  const status = err instanceof APIError && typeof err.status === "number" ? err.status : null;
  const exhausted = attempt >= policy.maxAttempts;
  if (status !== null && status < 500 && status !== 408 && status !== 409 && status !== 429) {
    return { retry: false, reason, kind: "unavailable", status, adminAction: true };
  }
  if (status === 429) {
    const asked = retryAfterMs(err instanceof APIError ? err.headers : undefined, now);
    if (asked === null) return { retry: false, reason: `${reason}; no retry-after: a spend or usage limit`, kind: "unavailable", status, adminAction: true };
    if (asked > policy.maxWaitMs)
      return { retry: false, reason: `${reason}; retry-after ${Math.round(asked / 1000)}s is too long to wait`, kind: "busy", status, adminAction: false };
    if (exhausted) return { retry: false, reason, kind: "busy", status, adminAction: false };
    return { retry: true, waitMs: Math.max(asked, backoffMs(policy, attempt)), reason };
  }
  // 5xx (529 overloaded included), 408, 409, timeouts, connection and stream failures.
  if (exhausted) return { retry: false, reason, kind: "busy", status, adminAction: false };
  const asked = err instanceof APIError ? retryAfterMs(err.headers, now) : null;
  return { retry: true, waitMs: Math.min(policy.maxWaitMs, Math.max(asked ?? 0, backoffMs(policy, attempt))), reason };
}

export const USER_MESSAGES = {
  unavailable: "Sorry, the assistant is unavailable right now. The administrator has been notified; please try again later.",
  busy: "Sorry, the assistant is overloaded right now and could not answer. Please try again in a few minutes.",
} as const;
