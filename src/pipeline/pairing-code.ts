/**
 * Pairing codes: characters from an alphabet without look-alikes (no 0/O, 1/I/L), so a code
 * read aloud or retyped from a phone survives. Request codes and short-lived invites have 6
 * (31^6, about 9 * 10^8); an invite that stays valid longer has 10 (about 8 * 10^14), since
 * guessers have that much longer. Guesses are limited per sender, per channel and per gateway.
 */
import { randomString } from "../crypto/random";

export const PAIRING_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
export const PAIRING_CODE_LENGTH = 6;
export const LONG_PAIRING_CODE_LENGTH = 10;
export const PAIRING_CODE_TTL_MS = 10 * 60_000;
/** Invites valid for longer than this get LONG_PAIRING_CODE_LENGTH characters. */
export const LONG_INVITE_AFTER_MS = 60 * 60_000;
/** Wrong `/pair` codes a sender may try before being locked out for PAIRING_LOCKOUT_MS. */
export const PAIRING_MAX_GUESSES = 5;
export const PAIRING_LOCKOUT_MS = 60 * 60_000;
/**
 * Wrong `/pair` codes per channel and per gateway in PAIRING_LOCKOUT_MS, whoever sends them:
 * senders rotate (IRC nicks, e-mail addresses), so the per-sender limit alone does not bound guessing.
 */
export const PAIRING_CHANNEL_MAX_GUESSES = 20;
export const PAIRING_GATEWAY_MAX_GUESSES = 60;

export function newPairingCode(length = PAIRING_CODE_LENGTH): string {
  return randomString(PAIRING_CODE_ALPHABET, length);
}

/** Normalises what a person typed ("abc 2de", "abc-2de") to the stored form, or null. */
export function normalizePairingCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, "");
  if (code.length !== PAIRING_CODE_LENGTH && code.length !== LONG_PAIRING_CODE_LENGTH) return null;
  for (const c of code) if (!PAIRING_CODE_ALPHABET.includes(c)) return null;
  return code;
}

/** The code in a `/pair CODE` command, or null when the text is not one. */
export function parsePairCommand(text: string): string | null | undefined {
  const m = /^\s*\/pair(?:@\S+)?(?:\s+(.*))?$/i.exec(text);
  if (!m) return undefined;
  return normalizePairingCode(m[1] ?? "");
}
