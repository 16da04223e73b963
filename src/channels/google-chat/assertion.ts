/**
 * The JWT a Google service account signs to ask for an access token (OAuth 2.0 for server to
 * server applications, "Create a JWT"): header `{"alg":"RS256","typ":"JWT"[,"kid"]}`, claims
 * iss (the account's e-mail), scope, aud (the token URI), iat and exp (at most an hour later),
 * signed with RSA SHA-256 by the key's PKCS #8 private key. Web Crypto signs it directly.
 * https://developers.google.com/identity/protocols/oauth2/service-account#authorizingrequests
 */
import { plainBytes, toBase64Url, utf8 } from "../../crypto/encoding";

export interface AssertionClaims {
  issuer: string;
  scope: string;
  audience: string;
  issuedAt: number;
  expiresAt: number;
  keyId?: string;
}

/** The DER bytes of a PEM `PRIVATE KEY` (PKCS #8); throws when the text is not one. */
function pkcs8Der(pem: string): Uint8Array {
  const match = /-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\s]+)-----END PRIVATE KEY-----/.exec(pem);
  if (!match?.[1]) throw new TypeError("private_key is not a PEM PKCS #8 private key");
  return Uint8Array.from(atob(match[1].replace(/\s+/g, "")), (c) => c.charCodeAt(0));
}

const signingKeys = new Map<string, Promise<CryptoKey>>();

/** Imported once per key per isolate: parsing an RSA key costs more than signing with it. */
function signingKey(pem: string): Promise<CryptoKey> {
  let key = signingKeys.get(pem);
  if (!key) {
    key = crypto.subtle.importKey("pkcs8", plainBytes(pkcs8Der(pem)), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
    key.catch(() => signingKeys.delete(pem));
    signingKeys.set(pem, key);
  }
  return key;
}

export async function signAssertion(privateKeyPem: string, claims: AssertionClaims): Promise<string> {
  const header = { alg: "RS256", typ: "JWT", ...(claims.keyId ? { kid: claims.keyId } : {}) };
  const payload = { scope: claims.scope, iss: claims.issuer, aud: claims.audience, iat: claims.issuedAt, exp: claims.expiresAt };
  const input = `${toBase64Url(utf8.encode(JSON.stringify(header)))}.${toBase64Url(utf8.encode(JSON.stringify(payload)))}`;
  const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", await signingKey(privateKeyPem), utf8.encode(input));
  return `${input}.${toBase64Url(new Uint8Array(signature))}`;
}
