/** Bech32 against BIP-173's test vectors and nostr-tools' own NIP-19 encoding. */
import { describe, expect, it } from "vitest";
import { generateSecretKey, getPublicKey } from "nostr-tools/pure";
import { npubEncode, nsecEncode } from "nostr-tools/nip19";
import { bech32Decode, bech32Encode } from "./bech32";
import { npub, parseSecretKey } from "./keys";

describe("bech32", () => {
  it("accepts BIP-173's valid strings and refuses its invalid ones", () => {
    const valid = [
      "A12UEL5L",
      "a12uel5l",
      "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
      "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
      `11${"q".repeat(82)}c8247j`,
      "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
      "?1ezyfcl",
    ];
    for (const s of valid) expect(bech32Decode(s), s).not.toBeNull();
    const invalid = [
      "\x201nwldj5",
      "\x7f1axkwrx",
      "pzry9x0s0muk",
      "1pzry9x0s0muk",
      "x1b4n0q5v",
      "li1dgmt3",
      "de1lg7wt\xff",
      "A1G7SGD8",
      "10a06t8",
      "1qzzfhee",
      "A12uEL5L",
    ];
    for (const s of invalid) expect(bech32Decode(s), JSON.stringify(s)).toBeNull();
  });

  it("round-trips bytes and matches nostr-tools' nsec and npub", () => {
    for (let i = 0; i < 20; i++) {
      const secret = generateSecretKey();
      const pub = getPublicKey(secret);
      expect(bech32Encode("nsec", secret)).toBe(nsecEncode(secret));
      expect(npub(pub)).toBe(npubEncode(pub));
      expect(parseSecretKey(nsecEncode(secret))).toEqual(secret);
      expect(bech32Decode(npubEncode(pub))?.prefix).toBe("npub");
    }
    // A checksum off by one character is refused.
    const nsec = nsecEncode(generateSecretKey());
    const broken = nsec.slice(0, -1) + (nsec.endsWith("q") ? "p" : "q");
    expect(parseSecretKey(broken)).toBeNull();
    expect(npub("not hex")).toBe("not hex");
  });
});
