import { describe, expect, it } from "vitest";
import { timingSafeEqual } from "../../src/crypto/compare";
import { hmacSha256Hex } from "../../src/crypto/hmac";
import { hashPassword, verifyPassword } from "../../src/crypto/password";
import { keyringFor } from "../../src/crypto/keyring";
import { SecretBox } from "../../src/crypto/secret-box";
import { checkSignature, signBody } from "../../src/channels/shared/signed-webhook";

describe("crypto", () => {
  it("HMAC-SHA256 matches RFC 4231 test case 2", async () => {
    expect(await hmacSha256Hex("Jefe", "what do ya want for nothing?")).toBe("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  });

  it("compares in constant time and still tells equal from unequal", () => {
    expect(timingSafeEqual("abc", "abc")).toBe(true);
    expect(timingSafeEqual("abc", "abd")).toBe(false);
    expect(timingSafeEqual("abc", "abcd")).toBe(false);
  });

  it("hashes passwords with a salt and verifies them", async () => {
    const a = await hashPassword("hunter2hunter2");
    const b = await hashPassword("hunter2hunter2");
    expect(a).not.toBe(b);
    expect(a).toMatch(/^pbkdf2\$100000\$/);
    expect(await verifyPassword("hunter2hunter2", a)).toBe(true);
    expect(await verifyPassword("hunter3hunter3", a)).toBe(false);
    expect(await verifyPassword("x", "garbage")).toBe(false);
  });

  it("seals secrets so that only the same master key opens them", async () => {
    const box = await SecretBox.fromMasterKey("master-key-one-0123456789");
    const sealed = await box.seal("bot-token-123");
    expect(sealed).toMatch(new RegExp(`^enc:v2:${box.keyId}:`));
    expect(sealed).not.toContain("bot-token-123");
    expect(await box.seal("bot-token-123")).not.toBe(sealed);
    expect(await box.open(sealed)).toBe("bot-token-123");
    const other = await SecretBox.fromMasterKey("master-key-two-0123456789");
    await expect(other.open(sealed)).rejects.toThrow();
    expect(other.keyId).not.toBe(box.keyId);
    await expect(SecretBox.fromMasterKey("short")).rejects.toThrow(/16 characters/);
  });

  it("opens with the key a value names during a rotation, and says which key is missing", async () => {
    const oldRing = await keyringFor({ LOOPGATE_MASTER_KEY: "old-master-key-0123456789" });
    const sealed = await oldRing!.seal("bot-token-456");
    const rotating = await keyringFor({ LOOPGATE_MASTER_KEY: "new-master-key-0123456789", LOOPGATE_MASTER_KEY_PREVIOUS: "old-master-key-0123456789" });
    expect(await rotating!.open(sealed)).toBe("bot-token-456");
    expect(rotating!.isStale(sealed)).toBe(true);
    expect(rotating!.isStale(await rotating!.seal("x"))).toBe(false);
    const newOnly = await keyringFor({ LOOPGATE_MASTER_KEY: "new-master-key-0123456789" });
    await expect(newOnly!.open(sealed)).rejects.toThrow(new RegExp(`master key ${oldRing!.current.keyId}.*LOOPGATE_MASTER_KEY_PREVIOUS`));
    expect(await keyringFor({})).toBeNull();
  });

  it("signs and checks generic-webhook signatures with a 5-minute replay window", async () => {
    const now = 1_700_000_000_000;
    const headers = new Headers(await signBody("s3cret-s3cret-s3cret", '{"a":1}', now));
    expect(await checkSignature("s3cret-s3cret-s3cret", headers, '{"a":1}', now + 299_000)).toEqual({ ok: true });
    expect(await checkSignature("s3cret-s3cret-s3cret", headers, '{"a":1}', now + 301_000)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/replay/),
    });
    expect(await checkSignature("s3cret-s3cret-s3cret", headers, '{"a":2}', now)).toMatchObject({ ok: false });
    expect(await checkSignature("other-secret-value!!", headers, '{"a":1}', now)).toMatchObject({ ok: false });
  });
});
