/**
 * Password hashing with PBKDF2-SHA256 (WebCrypto). Stored as
 * `pbkdf2$<iterations>$<salt b64url>$<hash b64url>` so the cost can be raised later.
 */
import { timingSafeEqual } from "./compare";
import { fromBase64Url, plainBytes, toBase64Url, utf8 } from "./encoding";

/** Workers cap PBKDF2 at 100,000 iterations; use the maximum the runtime allows. */
const PBKDF2_ITERATIONS = 100_000;

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", utf8.encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: plainBytes(salt), iterations }, key, 256);
  return new Uint8Array(bits);
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, salt, PBKDF2_ITERATIONS);
  return `pbkdf2$${PBKDF2_ITERATIONS}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iterations, salt, hash] = stored.split("$");
  if (scheme !== "pbkdf2" || !iterations || !salt || !hash) return false;
  const actual = await derive(password, fromBase64Url(salt), Number(iterations));
  return timingSafeEqual(actual, fromBase64Url(hash));
}
