/**
 * The master keys in force: LOOPGATE_MASTER_KEY seals and opens; during a rotation
 * LOOPGATE_MASTER_KEY_PREVIOUS (the old key) still opens what it sealed until `reseal` has
 * sealed everything again under the new key. See docs/security.md, "Rotating the master key".
 */
import { SecretBox } from "./secret-box";

/** The settings that hold master keys (the Worker's Env and GatewayConfig both fit). */
export interface MasterKeys {
  LOOPGATE_MASTER_KEY?: string;
  LOOPGATE_MASTER_KEY_PREVIOUS?: string;
}

export class UnknownSealingKeyError extends Error {
  constructor(keyId: string | null) {
    super(
      keyId
        ? `a secret was sealed with master key ${keyId}, which is neither LOOPGATE_MASTER_KEY nor LOOPGATE_MASTER_KEY_PREVIOUS; set the key it was sealed with as LOOPGATE_MASTER_KEY_PREVIOUS`
        : "a secret sealed before key ids opens with neither LOOPGATE_MASTER_KEY nor LOOPGATE_MASTER_KEY_PREVIOUS; set the key it was sealed with as LOOPGATE_MASTER_KEY_PREVIOUS",
    );
  }
}

export class Keyring {
  constructor(
    readonly current: SecretBox,
    private readonly previous: SecretBox | null,
  ) {}

  seal(plaintext: string): Promise<string> {
    return this.current.seal(plaintext);
  }

  /** Opens with the key the value names; a v1 value (no key id) is tried with each key. */
  async open(sealed: string): Promise<string> {
    const keyId = SecretBox.keyIdOf(sealed);
    const boxes = [this.current, ...(this.previous ? [this.previous] : [])];
    if (keyId) {
      const box = boxes.find((b) => b.keyId === keyId);
      if (!box) throw new UnknownSealingKeyError(keyId);
      return box.open(sealed);
    }
    for (const box of boxes) {
      try {
        return await box.open(sealed);
      } catch {
        // not this key; try the next
      }
    }
    throw new UnknownSealingKeyError(null);
  }

  /** True when `sealed` is not sealed under the current key (a v1 value, or the previous key's). */
  isStale(sealed: string): boolean {
    return SecretBox.keyIdOf(sealed) !== this.current.keyId;
  }
}

const rings = new Map<string, Promise<Keyring>>();

/** One Keyring per key pair per isolate (key derivation is not free); null without a master key. */
export function keyringFor(keys: MasterKeys): Promise<Keyring | null> {
  const current = keys.LOOPGATE_MASTER_KEY;
  if (!current) return Promise.resolve(null);
  const previous = keys.LOOPGATE_MASTER_KEY_PREVIOUS || undefined;
  const cacheKey = JSON.stringify([current, previous ?? null]);
  let ring = rings.get(cacheKey);
  if (!ring) {
    ring = (async () => new Keyring(await SecretBox.fromMasterKey(current), previous ? await SecretBox.fromMasterKey(previous) : null))();
    rings.set(cacheKey, ring);
    // A failed derivation (a key too short) must not stay cached as a rejected promise forever.
    ring.catch(() => rings.delete(cacheKey));
  }
  return ring;
}
