/**
 * Pipeline stage 5: the per-sender sliding-window rate limit. Exact, not approximate:
 * the sender's object is single-threaded, so a log of accepted timestamps suffices.
 */

export const DEFAULT_RATE_LIMIT_PER_MINUTE = 10;
export const RATE_WINDOW_MS = 60_000;

export type LimitDecision =
  | { allowed: true }
  /** `notify` is true only for the first refusal in a window: one "slow down" reply, not one per message. */
  | { allowed: false; notify: boolean; retryAfterMs: number };

export interface WindowState {
  /** Accepted message times (ms), oldest first. */
  accepted: number[];
  /** Until when the sender has already been told to slow down. */
  notifiedUntil: number;
}

export function checkWindow(state: WindowState, now: number, max: number, windowMs = RATE_WINDOW_MS): { decision: LimitDecision; state: WindowState } {
  const accepted = state.accepted.filter((t) => t > now - windowMs);
  if (accepted.length < max) {
    return { decision: { allowed: true }, state: { accepted: [...accepted, now], notifiedUntil: state.notifiedUntil } };
  }
  const freesAt = (accepted[0] ?? now) + windowMs;
  const notify = now >= state.notifiedUntil;
  return {
    decision: { allowed: false, notify, retryAfterMs: Math.max(0, freesAt - now) },
    state: { accepted, notifiedUntil: notify ? freesAt : state.notifiedUntil },
  };
}
