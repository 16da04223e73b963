/**
 * LINE's webhook signature (stage 1): `x-line-signature` is the base64 HMAC-SHA256 of the raw
 * request body, keyed with the channel secret. LINE sends no timestamp header, so replays are
 * caught by the per-event dedupe on webhookEventId instead of a time window.
 * https://developers.line.biz/en/docs/messaging-api/verify-webhook-signature/
 */
import { timingSafeEqual } from "../../crypto/compare";
import { hmacSha256 } from "../../crypto/hmac";

export const LINE_SIGNATURE_HEADER = "x-line-signature";

function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** The `x-line-signature` value LINE sends for this body. */
export async function lineSignature(channelSecret: string, body: string): Promise<string> {
  return toBase64(await hmacSha256(channelSecret, body));
}

export type LineSignatureCheck = { ok: true } | { ok: false; error: string };

export async function verifyLineSignature(channelSecret: string, headers: Headers, body: string): Promise<LineSignatureCheck> {
  const given = headers.get(LINE_SIGNATURE_HEADER);
  if (!given) return { ok: false, error: "missing x-line-signature header" };
  const expected = await lineSignature(channelSecret, body);
  return timingSafeEqual(expected, given) ? { ok: true } : { ok: false, error: "x-line-signature does not match the body" };
}
