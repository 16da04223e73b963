/**
 * The bot's Nostr identity: its secret key as an admin pastes it (NIP-19 `nsec1…` or 64 hex
 * characters), turned into the 32 bytes nostr-tools signs and decrypts with, and public keys as
 * people see them (`npub1…`). Used by the config schema in the Worker (a key that is not a valid
 * secp256k1 scalar is refused at creation) and by the bridge, which derives the public key.
 *
 * No curve arithmetic here: a secret key is valid exactly when it is a scalar in [1, n-1] (n the
 * order of secp256k1, SEC 2 §2.4.1), which is what `getPublicKey` checks before multiplying. The
 * Worker only validates, so it does not bundle the elliptic-curve code (about 15 KiB gzip with
 * nostr-tools' NIP-19 module; bech32.ts does the encoding).
 */
import { fromHex } from "../../crypto/encoding";
import { bech32Decode, bech32Encode } from "./bech32";

const HEX_KEY = /^[0-9a-f]{64}$/i;
export const PUBLIC_KEY_HEX = /^[0-9a-f]{64}$/;

/** The order n of secp256k1's base point (SEC 2 v2, §2.4.1). */
const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function toBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

/** The 32-byte secret key, or null when `value` is neither an nsec nor 64 hex digits of a valid key. */
export function parseSecretKey(value: string): Uint8Array | null {
  const trimmed = value.trim();
  let bytes: Uint8Array | null;
  if (HEX_KEY.test(trimmed)) bytes = fromHex(trimmed);
  else {
    const decoded = bech32Decode(trimmed);
    bytes = decoded?.prefix === "nsec" ? decoded.bytes : null;
  }
  if (bytes?.length !== 32) return null;
  // Zero or a value at or past the curve order is no key (getPublicKey would refuse it).
  const scalar = toBigInt(bytes);
  return scalar > 0n && scalar < CURVE_ORDER ? bytes : null;
}

/** A public key (hex) as people see it in their clients. */
export function npub(publicKeyHex: string): string {
  const bytes = HEX_KEY.test(publicKeyHex) ? fromHex(publicKeyHex) : null;
  return bytes ? bech32Encode("npub", bytes) : publicKeyHex;
}
