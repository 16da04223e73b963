/** discord-interactions' verifyKey, which the Discord channel verifies every interaction with, against RFC 8032's Ed25519 test vectors (§7.1). */
import { describe, expect, it } from "vitest";
import { verifyKey } from "discord-interactions";

// RFC 8032 §7.1, TEST 1 (empty message) and TEST 2 (the one byte 0x72, "r").
const TEST1 = {
  publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
  signature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
};
const TEST2 = {
  publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
  signature: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
};

describe("verifyKey", () => {
  it("accepts RFC 8032's signatures over timestamp + body", async () => {
    expect(await verifyKey("", TEST1.signature, "", TEST1.publicKey)).toBe(true);
    // The signed bytes are the timestamp followed by the body: "r" either way round.
    expect(await verifyKey("r", TEST2.signature, "", TEST2.publicKey)).toBe(true);
    expect(await verifyKey("", TEST2.signature.toUpperCase(), "r", TEST2.publicKey)).toBe(true);
  });

  it("refuses another message, another key, a changed signature and malformed hex", async () => {
    expect(await verifyKey("s", TEST2.signature, "", TEST2.publicKey)).toBe(false);
    expect(await verifyKey("r", TEST2.signature, "", TEST1.publicKey)).toBe(false);
    const flipped = `${TEST2.signature.slice(0, -1)}1`;
    expect(await verifyKey("r", flipped, "", TEST2.publicKey)).toBe(false);
    expect(await verifyKey("r", TEST2.signature.slice(2), "", TEST2.publicKey)).toBe(false);
    expect(await verifyKey("r", `zz${TEST2.signature.slice(2)}`, "", TEST2.publicKey)).toBe(false);
    expect(await verifyKey("r", TEST2.signature, "", "00")).toBe(false);
  });
});
