/**
 * Slack's request signing (v0): `X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret,
 * "v0:" + X-Slack-Request-Timestamp + ":" + raw body)>`, and requests older than five minutes
 * are refused as possible replays.
 * https://api.slack.com/authentication/verifying-requests-from-slack
 */
import { hmacSha256Hex } from "../../crypto/hmac";
import { timingSafeEqual } from "../../crypto/compare";

export const SLACK_SIGNATURE_HEADER = "x-slack-signature";
export const SLACK_TIMESTAMP_HEADER = "x-slack-request-timestamp";
export const SLACK_REPLAY_WINDOW_MS = 5 * 60_000;

/** The `v0=` signature Slack sends for this timestamp and body. */
export async function slackSignature(signingSecret: string, timestamp: string, body: string): Promise<string> {
  return `v0=${await hmacSha256Hex(signingSecret, `v0:${timestamp}:${body}`)}`;
}

export type SlackSignatureCheck = { ok: true } | { ok: false; error: string };

/** Checks the timestamp window first (as Slack advises), then the signature in constant time. */
export async function verifySlackSignature(signingSecret: string, headers: Headers, body: string, nowMs: number): Promise<SlackSignatureCheck> {
  const timestamp = headers.get(SLACK_TIMESTAMP_HEADER);
  const signature = headers.get(SLACK_SIGNATURE_HEADER);
  if (!timestamp || !signature) return { ok: false, error: "missing X-Slack-Request-Timestamp or X-Slack-Signature header" };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, error: "X-Slack-Request-Timestamp must be unix seconds" };
  if (Math.abs(nowMs - Number(timestamp) * 1000) > SLACK_REPLAY_WINDOW_MS)
    return { ok: false, error: "request timestamp is outside the 5-minute window (replayed or clock skew)" };
  const expected = await slackSignature(signingSecret, timestamp, body);
  return timingSafeEqual(expected, signature) ? { ok: true } : { ok: false, error: "signature does not match" };
}
