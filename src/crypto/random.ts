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

const ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";
const ID_SUFFIX_LENGTH = 8;
let lastIdMs = 0;
let lastIdSuffix = "";

/**
 * Time-ordered id with a type prefix, e.g. `msg_lx2k9a0c7h3p2q`: sorts by creation time. Ids
 * minted in the same millisecond (common: a Worker's clock stands still while it computes) are
 * kept in minting order by counting the previous suffix up, as monotonic ULIDs do; across
 * isolates only the millisecond orders them, which is why the feed's catch-up overlaps.
 */
export function newId(prefix: string): string {
  const now = Date.now();
  if (now > lastIdMs) {
    lastIdMs = now;
    lastIdSuffix = randomString(ID_ALPHABET, ID_SUFFIX_LENGTH);
  } else {
    const next = incrementBase36(lastIdSuffix);
    // Past "zzzzzzzz" (2.8 * 10^12 ids in one millisecond, never in practice) borrow the next millisecond.
    if (next === null) {
      lastIdMs += 1;
      lastIdSuffix = randomString(ID_ALPHABET, ID_SUFFIX_LENGTH);
    } else lastIdSuffix = next;
  }
  return `${prefix}_${lastIdMs.toString(36).padStart(9, "0")}${lastIdSuffix}`;
}

/**
 * The smallest id `newId(prefix)` can mint at `ms` or later: a bound for reading ids by time
 * (ids minted earlier sort below it, later ones above).
 */
export function idFloor(prefix: string, ms: number): string {
  return `${prefix}_${Math.max(0, Math.floor(ms)).toString(36).padStart(9, "0")}`;
}

/** The next string of the same length in ID_ALPHABET order, or null after the last. */
function incrementBase36(value: string): string | null {
  const chars = value.split("");
  for (let i = chars.length - 1; i >= 0; i--) {
    const digit = ID_ALPHABET.indexOf(chars[i]!);
    if (digit < ID_ALPHABET.length - 1) {
      chars[i] = ID_ALPHABET[digit + 1]!;
      return chars.join("");
    }
    chars[i] = ID_ALPHABET[0]!;
  }
  return null;
}
