/**
 * The generic webhook channel's signing scheme, used both ways:
 * `X-Loopgate-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`
 * with `X-Loopgate-Timestamp` in unix seconds and a 5-minute replay window.
 */
import { hmacSha256Hex, verifyHmacSha256Hex } from "../../crypto/hmac";

export const SIGNATURE_HEADER = "x-loopgate-signature";
export const TIMESTAMP_HEADER = "x-loopgate-timestamp";
export const REPLAY_WINDOW_MS = 5 * 60_000;

export async function signBody(secret: string, body: string, nowMs: number): Promise<Record<string, string>> {
  const timestamp = String(Math.floor(nowMs / 1000));
  const hex = await hmacSha256Hex(secret, `${timestamp}.${body}`);
  return { "X-Loopgate-Timestamp": timestamp, "X-Loopgate-Signature": `sha256=${hex}` };
}

export type SignatureCheck = { ok: true } | { ok: false; error: string };

export async function checkSignature(secret: string, headers: Headers, body: string, nowMs: number): Promise<SignatureCheck> {
  const timestamp = headers.get(TIMESTAMP_HEADER);
  const signature = headers.get(SIGNATURE_HEADER);
  if (!timestamp || !signature) return { ok: false, error: "missing X-Loopgate-Timestamp or X-Loopgate-Signature header" };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, error: "X-Loopgate-Timestamp must be unix seconds" };
  if (Math.abs(nowMs - Number(timestamp) * 1000) > REPLAY_WINDOW_MS) return { ok: false, error: "timestamp outside the 5-minute replay window" };
  if (!signature.startsWith("sha256=")) return { ok: false, error: "signature must be sha256=<hex>" };
  const valid = await verifyHmacSha256Hex(secret, `${timestamp}.${body}`, signature.slice("sha256=".length));
  return valid ? { ok: true } : { ok: false, error: "signature does not match" };
}
