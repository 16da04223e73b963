/**
 * Encryption of secrets at rest (channel tokens in D1): AES-256-GCM under a key derived
 * with HKDF from LOOPGATE_MASTER_KEY. Sealed values look like `enc:v1:<iv>.<ciphertext>`.
 */
import { fromBase64Url, plainBytes, toBase64Url, utf8 } from "./encoding";

const PREFIX = "enc:v1:";

export class SecretBox {
  private constructor(private readonly key: CryptoKey) {}

  static async fromMasterKey(masterKey: string): Promise<SecretBox> {
    if (masterKey.length < 16) throw new Error("LOOPGATE_MASTER_KEY must be at least 16 characters");
    const base = await crypto.subtle.importKey("raw", utf8.encode(masterKey), "HKDF", false, ["deriveKey"]);
    const key = await crypto.subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt: utf8.encode("loopgate"), info: utf8.encode("secrets-at-rest/v1") },
      base,
      { name: "AES-GCM", length: 256 },
      false,
      ["encrypt", "decrypt"],
    );
    return new SecretBox(key);
  }

  static isSealed(value: unknown): value is string {
    return typeof value === "string" && value.startsWith(PREFIX);
  }

  async seal(plaintext: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, this.key, utf8.encode(plaintext)));
    return `${PREFIX}${toBase64Url(iv)}.${toBase64Url(ct)}`;
  }

  async open(sealed: string): Promise<string> {
    if (!SecretBox.isSealed(sealed)) throw new Error("value is not sealed");
    const [iv, ct] = sealed.slice(PREFIX.length).split(".");
    if (!iv || !ct) throw new Error("sealed value is malformed");
    const pt = await crypto.subtle.decrypt({ name: "AES-GCM", iv: plainBytes(fromBase64Url(iv)) }, this.key, plainBytes(fromBase64Url(ct)));
    return new TextDecoder().decode(pt);
  }
}
