/**
 * Encryption of secrets at rest (channel tokens in D1): AES-256-GCM under a key derived with
 * HKDF from a master key. Sealed values name the key that sealed them,
 * `enc:v2:<key id>:<iv>.<ciphertext>`, so a rotation can tell old values from new ones (see
 * keyring.ts); values sealed before key ids (`enc:v1:<iv>.<ciphertext>`) still open.
 */
import { fromBase64Url, plainBytes, toBase64Url, utf8 } from "./encoding";

const V1 = "enc:v1:";
const V2 = "enc:v2:";

export class SecretBox {
  private constructor(
    private readonly key: CryptoKey,
    /** A short public fingerprint of the master key: which key sealed a value, not the key. */
    readonly keyId: string,
  ) {}

  static async fromMasterKey(masterKey: string): Promise<SecretBox> {
    if (masterKey.length < 16) throw new Error("LOOPGATE_MASTER_KEY must be at least 16 characters");
    const base = await crypto.subtle.importKey("raw", utf8.encode(masterKey), "HKDF", false, ["deriveKey", "deriveBits"]);
    const key = await crypto.subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt: utf8.encode("loopgate"), info: utf8.encode("secrets-at-rest/v1") },
      base,
      { name: "AES-GCM", length: 256 },
      false,
      ["encrypt", "decrypt"],
    );
    // Derived apart from the encryption key (other info), so publishing it reveals nothing about that key.
    const idBits = await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: utf8.encode("loopgate"), info: utf8.encode("key-id/v1") }, base, 48);
    return new SecretBox(key, toBase64Url(new Uint8Array(idBits)));
  }

  static isSealed(value: unknown): value is string {
    return typeof value === "string" && (value.startsWith(V2) || value.startsWith(V1));
  }

  /** The id of the key that sealed `sealed`, or null for a v1 value (sealed before key ids). */
  static keyIdOf(sealed: string): string | null {
    if (!sealed.startsWith(V2)) return null;
    return sealed.slice(V2.length).split(":")[0] ?? null;
  }

  async seal(plaintext: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, this.key, utf8.encode(plaintext)));
    return `${V2}${this.keyId}:${toBase64Url(iv)}.${toBase64Url(ct)}`;
  }

  async open(sealed: string): Promise<string> {
    let body: string;
    if (sealed.startsWith(V2)) {
      const [kid, rest] = sealed.slice(V2.length).split(":");
      if (kid !== this.keyId) throw new Error(`sealed with another key (${kid})`);
      body = rest ?? "";
    } else if (sealed.startsWith(V1)) body = sealed.slice(V1.length);
    else throw new Error("value is not sealed");
    const [iv, ct] = body.split(".");
    if (!iv || !ct) throw new Error("sealed value is malformed");
    const pt = await crypto.subtle.decrypt({ name: "AES-GCM", iv: plainBytes(fromBase64Url(iv)) }, this.key, plainBytes(fromBase64Url(ct)));
    return new TextDecoder().decode(pt);
  }
}
