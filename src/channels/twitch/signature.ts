/**
 * Twitch EventSub webhook verification (stage 1): `Twitch-Eventsub-Message-Signature` is
 * `sha256=` + hex HMAC-SHA256 of message id + timestamp + raw body under the subscription's
 * secret; messages older than 10 minutes are refused as replays.
 * https://dev.twitch.tv/docs/eventsub/handling-webhook-events/#verifying-the-event-message
 */
import { hmacSha256Hex } from "../../crypto/hmac";
import { timingSafeEqual } from "../../crypto/compare";

export const TWITCH_MESSAGE_ID = "twitch-eventsub-message-id";
export const TWITCH_MESSAGE_TIMESTAMP = "twitch-eventsub-message-timestamp";
export const TWITCH_MESSAGE_SIGNATURE = "twitch-eventsub-message-signature";
export const TWITCH_MESSAGE_TYPE = "twitch-eventsub-message-type";
/** Twitch's advice: refuse messages older than 10 minutes. */
export const TWITCH_REPLAY_WINDOW_MS = 10 * 60_000;

export async function twitchSignature(secret: string, messageId: string, timestamp: string, body: string): Promise<string> {
  return `sha256=${await hmacSha256Hex(secret, messageId + timestamp + body)}`;
}

/** RFC 3339 with up to nanoseconds (`2019-11-16T10:11:12.634234626Z`); Date.parse wants at most milliseconds. */
export function parseTwitchTimestamp(value: string): number {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value)) return Number.NaN;
  return Date.parse(value.replace(/(\.\d{3})\d+/, "$1"));
}

export type TwitchSignatureCheck = { ok: true; messageId: string } | { ok: false; error: string };

export async function verifyTwitchSignature(secret: string, headers: Headers, body: string, nowMs: number): Promise<TwitchSignatureCheck> {
  const messageId = headers.get(TWITCH_MESSAGE_ID);
  const timestamp = headers.get(TWITCH_MESSAGE_TIMESTAMP);
  const signature = headers.get(TWITCH_MESSAGE_SIGNATURE);
  if (!messageId || !timestamp || !signature) return { ok: false, error: "missing Twitch-Eventsub-Message-Id, -Timestamp or -Signature header" };
  const sent = parseTwitchTimestamp(timestamp);
  if (Number.isNaN(sent)) return { ok: false, error: "Twitch-Eventsub-Message-Timestamp is not an RFC 3339 time" };
  if (nowMs - sent > TWITCH_REPLAY_WINDOW_MS) return { ok: false, error: "message is older than 10 minutes (replayed)" };
  if (sent - nowMs > TWITCH_REPLAY_WINDOW_MS) return { ok: false, error: "message timestamp is in the future (clock skew or forged)" };
  const expected = await twitchSignature(secret, messageId, timestamp, body);
  return timingSafeEqual(expected, signature) ? { ok: true, messageId } : { ok: false, error: "signature does not match" };
}
