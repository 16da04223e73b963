/**
 * Feishu/Lark event security (stage 1). With an Encrypt Key set, every event carries
 * `X-Lark-Signature` = hex SHA-256 of (X-Lark-Request-Timestamp + X-Lark-Request-Nonce + encrypt
 * key + raw body), and bodies arrive as `{"encrypt": base64}`: AES-256-CBC with key = SHA-256 of
 * the encrypt key, the first 16 bytes the IV, PKCS#7 padding. The Verification Token inside the
 * (decrypted) body is checked as well, in constant time.
 * https://open.feishu.cn/document/server-docs/event-subscription-guide/event-subscription-configure-/encrypt-key-encryption-configuration-case
 */
import { timingSafeEqual } from "../../crypto/compare";
import { plainBytes, toHex, utf8 } from "../../crypto/encoding";

export const LARK_SIGNATURE_HEADER = "x-lark-signature";
export const LARK_TIMESTAMP_HEADER = "x-lark-request-timestamp";
export const LARK_NONCE_HEADER = "x-lark-request-nonce";
/** Feishu sets no window; five minutes, as for Slack, refuses replays while tolerating skew. */
export const LARK_REPLAY_WINDOW_MS = 5 * 60_000;

export async function sha256Hex(text: string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", utf8.encode(text)));
}

/** The signature Feishu sends for this request. */
export async function larkSignature(timestamp: string, nonce: string, encryptKey: string, body: string): Promise<string> {
  return sha256Hex(timestamp + nonce + encryptKey + body);
}

export type Check = { ok: true } | { ok: false; error: string };

export async function verifyLarkSignature(encryptKey: string, headers: Headers, body: string, nowMs: number): Promise<Check> {
  const timestamp = headers.get(LARK_TIMESTAMP_HEADER);
  const nonce = headers.get(LARK_NONCE_HEADER);
  const signature = headers.get(LARK_SIGNATURE_HEADER);
  if (!timestamp || !nonce || !signature) return { ok: false, error: "missing X-Lark-Request-Timestamp, X-Lark-Request-Nonce or X-Lark-Signature header" };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, error: "X-Lark-Request-Timestamp must be unix seconds" };
  if (Math.abs(nowMs - Number(timestamp) * 1000) > LARK_REPLAY_WINDOW_MS)
    return { ok: false, error: "request timestamp is outside the 5-minute window (replayed or clock skew)" };
  const expected = await larkSignature(timestamp, nonce, encryptKey, body);
  return timingSafeEqual(expected, signature.toLowerCase()) ? { ok: true } : { ok: false, error: "signature does not match" };
}

async function aesKey(encryptKey: string, usage: "encrypt" | "decrypt"): Promise<CryptoKey> {
  const digest = await crypto.subtle.digest("SHA-256", utf8.encode(encryptKey));
  return crypto.subtle.importKey("raw", digest, { name: "AES-CBC" }, false, [usage]);
}

/** The plaintext of an `encrypt` field, or null when it does not decrypt under this key. */
export async function decryptLark(encryptKey: string, encrypted: string): Promise<string | null> {
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(encrypted), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
  if (bytes.length < 32 || bytes.length % 16 !== 0) return null;
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-CBC", iv: plainBytes(bytes.slice(0, 16)) },
      await aesKey(encryptKey, "decrypt"),
      plainBytes(bytes.slice(16)),
    );
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(plain);
  } catch {
    return null;
  }
}

/** Encrypts like Feishu (random IV prepended); used by the fake and tests. */
export async function encryptLark(encryptKey: string, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(16));
  const cipher = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CBC", iv }, await aesKey(encryptKey, "encrypt"), utf8.encode(plaintext)));
  const out = new Uint8Array(16 + cipher.length);
  out.set(iv);
  out.set(cipher, 16);
  let bin = "";
  for (const b of out) bin += String.fromCharCode(b);
  return btoa(bin);
}

export function tokenMatches(expected: string, given: unknown): boolean {
  return typeof given === "string" && timingSafeEqual(expected, given);
}
