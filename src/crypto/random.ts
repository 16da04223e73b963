/** Random identifiers and tokens from the platform CSPRNG. */
import { toBase64Url } from "./encoding";

/** An opaque bearer token (256 bits), URL-safe. */
export function randomToken(bytes = 32): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** Draws `length` characters uniformly from `alphabet` (rejection sampling, no modulo bias). */
export function randomString(alphabet: string, length: number): string {
  const limit = 256 - (256 % alphabet.length);
  let out = "";
  while (out.length < length) {
    for (const b of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (b < limit && out.length < length) out += alphabet[b % alphabet.length];
    }
  }
  return out;
}

/** Time-ordered id with a type prefix, e.g. `msg_lx2k9a0c7h3p2q`: sorts by creation time. */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36).padStart(9, "0")}${randomString("0123456789abcdefghijklmnopqrstuvwxyz", 8)}`;
}
