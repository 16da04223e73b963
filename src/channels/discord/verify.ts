/**
 * Stage 1 of a Discord interaction: the request's Ed25519 signature. Discord signs the
 * timestamp header followed by the raw body with the application's key and sends the signature
 * (hex) in X-Signature-Ed25519; the public key (hex) is on the application's page in the
 * developer portal. Web Crypto verifies Ed25519 natively, so this is what discord-interactions'
 * `verifyKey` does, without bundling the rest of that package (its Express middleware and enums).
 */

import { fromHex, plainBytes, utf8 } from "../../crypto/encoding";

/** Whether `signatureHex` is the application's signature of `timestamp` + `rawBody`; false for any malformed input. */
export async function verifyDiscordSignature(rawBody: string, signatureHex: string, timestamp: string, publicKeyHex: string): Promise<boolean> {
  const signature = fromHex(signatureHex);
  const publicKey = fromHex(publicKeyHex);
  if (!signature || signature.length !== 64 || !publicKey || publicKey.length !== 32) return false;
  try {
    const key = await crypto.subtle.importKey("raw", plainBytes(publicKey), { name: "Ed25519" }, false, ["verify"]);
    return await crypto.subtle.verify({ name: "Ed25519" }, key, plainBytes(signature), utf8.encode(timestamp + rawBody));
  } catch {
    return false;
  }
}
