/**
 * The bot's Nostr identity: its secret key as an admin pastes it (NIP-19 `nsec1…` or 64 hex
 * characters), turned into the 32 bytes nostr-tools signs and decrypts with, and its public key.
 * Used by the config schema (a key that is not a valid secp256k1 scalar is refused at creation)
 * and by the bridge.
 */
import { decode, npubEncode } from "nostr-tools/nip19";
import { getPublicKey } from "nostr-tools/pure";
import { hexToBytes } from "nostr-tools/utils";

const HEX_KEY = /^[0-9a-f]{64}$/i;

/** The 32-byte secret key, or null when `value` is neither an nsec nor 64 hex digits of a valid key. */
export function parseSecretKey(value: string): Uint8Array | null {
  const trimmed = value.trim();
  let bytes: Uint8Array;
  try {
    if (HEX_KEY.test(trimmed)) bytes = hexToBytes(trimmed.toLowerCase());
    else {
      const decoded = decode(trimmed);
      if (decoded.type !== "nsec") return null;
      bytes = decoded.data;
    }
    // Zero or a value past the curve order is no key: getPublicKey refuses it.
    getPublicKey(bytes);
    return bytes;
  } catch {
    return null;
  }
}

/** A public key (hex) as people see it in their clients. */
export function npub(publicKeyHex: string): string {
  try {
    return npubEncode(publicKeyHex);
  } catch {
    return publicKeyHex;
  }
}

export const PUBLIC_KEY_HEX = /^[0-9a-f]{64}$/;
