/**
 * Pairing codes: 6 characters from an alphabet without look-alikes (no 0/O, 1/I/L),
 * so a code read aloud or retyped from a phone survives.
 */
import { randomString } from "../crypto/random";

export const PAIRING_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
export const PAIRING_CODE_LENGTH = 6;
export const PAIRING_CODE_TTL_MS = 10 * 60_000;
/** Wrong `/pair` codes a sender may try before being locked out for PAIRING_LOCKOUT_MS. */
export const PAIRING_MAX_GUESSES = 5;
export const PAIRING_LOCKOUT_MS = 60 * 60_000;

export function newPairingCode(): string {
  return randomString(PAIRING_CODE_ALPHABET, PAIRING_CODE_LENGTH);
}

/** Normalises what a person typed ("abc 2de", "abc-2de") to the stored form, or null. */
export function normalizePairingCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, "");
  if (code.length !== PAIRING_CODE_LENGTH) return null;
  for (const c of code) if (!PAIRING_CODE_ALPHABET.includes(c)) return null;
  return code;
}

/** The code in a `/pair CODE` command, or null when the text is not one. */
export function parsePairCommand(text: string): string | null | undefined {
  const m = /^\s*\/pair(?:@\S+)?(?:\s+(.*))?$/i.exec(text);
  if (!m) return undefined;
  return normalizePairingCode(m[1] ?? "");
}
