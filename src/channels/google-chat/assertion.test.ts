/** The service account's JWT assertion, verified as Google would: RS256 over the key, claims as specified. */
import { decodeProtectedHeader, exportPKCS8, generateKeyPair, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { signAssertion } from "./assertion";

describe("signAssertion", () => {
  it("signs an RS256 JWT with the scope, issuer, audience, iat, exp and kid", async () => {
    const pair = await generateKeyPair("RS256", { extractable: true });
    const pem = await exportPKCS8(pair.privateKey);
    const claims = {
      issuer: "bot@project.iam.gserviceaccount.com",
      scope: "https://www.googleapis.com/auth/chat.bot",
      audience: "https://oauth2.googleapis.com/token",
    };
    const iat = Math.floor(Date.now() / 1000);
    const token = await signAssertion(pem, { ...claims, issuedAt: iat, expiresAt: iat + 3600, keyId: "k1" });
    expect(decodeProtectedHeader(token)).toEqual({ alg: "RS256", typ: "JWT", kid: "k1" });
    const { payload } = await jwtVerify(token, pair.publicKey, { algorithms: ["RS256"], issuer: claims.issuer, audience: claims.audience });
    expect(payload).toEqual({ scope: claims.scope, iss: claims.issuer, aud: claims.audience, iat, exp: iat + 3600 });
    // Without a key id, no kid; another key's public half does not verify it.
    const plain = await signAssertion(pem, { ...claims, issuedAt: iat, expiresAt: iat + 60 });
    expect(decodeProtectedHeader(plain)).toEqual({ alg: "RS256", typ: "JWT" });
    const other = await generateKeyPair("RS256");
    await expect(jwtVerify(plain, other.publicKey)).rejects.toThrow();
  });

  it("refuses a key that is not a PEM PKCS #8 private key", async () => {
    const claims = { issuer: "a@b.c", scope: "s", audience: "https://x.example", issuedAt: 1, expiresAt: 2 };
    await expect(signAssertion("not a key", claims)).rejects.toThrow(/PKCS #8/);
    await expect(signAssertion("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", claims)).rejects.toThrow();
  });
});
