/**
 * Reconnect delays: exponential with "full jitter" (a random delay up to the exponential cap),
 * so many bridges cut off at the same moment do not all knock again at the same moment.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export function backoffDelayMs(attempt: number, { baseMs, maxMs }: BackoffOptions, random: () => number = Math.random): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  // Never zero: a floor of half the base keeps a flapping server from being hammered.
  return Math.round(baseMs / 2 + random() * Math.max(0, cap - baseMs / 2));
}
