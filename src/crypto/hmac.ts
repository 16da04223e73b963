/** HMAC-SHA256 signing and verification, the scheme behind most platforms' webhook signatures. */
import { timingSafeEqual } from "./compare";
import { plainBytes, toHex, utf8 } from "./encoding";

async function hmacKey(secret: string | Uint8Array): Promise<CryptoKey> {
  const raw = plainBytes(typeof secret === "string" ? utf8.encode(secret) : secret);
  return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

export async function hmacSha256(secret: string | Uint8Array, data: string | Uint8Array): Promise<Uint8Array> {
  const key = await hmacKey(secret);
  const bytes = plainBytes(typeof data === "string" ? utf8.encode(data) : data);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, bytes));
}

export async function hmacSha256Hex(secret: string | Uint8Array, data: string | Uint8Array): Promise<string> {
  return toHex(await hmacSha256(secret, data));
}

/** True when `signatureHex` is the HMAC of `data`; compared in constant time. */
export async function verifyHmacSha256Hex(secret: string | Uint8Array, data: string | Uint8Array, signatureHex: string): Promise<boolean> {
  const expected = await hmacSha256Hex(secret, data);
  return timingSafeEqual(expected, signatureHex.toLowerCase());
}

export async function sha256Hex(data: string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", utf8.encode(data)));
}
