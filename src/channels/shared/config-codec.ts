/**
 * Channel configs at rest: secret fields are sealed with the SecretBox before they reach D1,
 * opened only where a request must be verified or a reply sent, and hidden in API answers.
 */
import { SecretBox } from "../../crypto/secret-box";
import type { ChannelAdapter } from "./types";

export const HIDDEN_SECRET = "[hidden]";

type Config = Record<string, unknown>;

export async function sealConfig(adapter: ChannelAdapter<unknown>, config: Config, box: SecretBox | null): Promise<Config> {
  const out: Config = { ...config };
  for (const field of adapter.secretFields) {
    const value = out[field];
    if (typeof value !== "string" || SecretBox.isSealed(value)) continue;
    if (!box) throw new MissingMasterKeyError();
    out[field] = await box.seal(value);
  }
  return out;
}

export async function openConfig(adapter: ChannelAdapter<unknown>, stored: Config, box: SecretBox | null): Promise<Config> {
  const out: Config = { ...stored };
  for (const field of adapter.secretFields) {
    const value = out[field];
    if (!SecretBox.isSealed(value)) continue;
    if (!box) throw new MissingMasterKeyError();
    out[field] = await box.open(value);
  }
  return out;
}

/** What the API shows: every secret field that is set reads as HIDDEN_SECRET. */
export function redactConfig(adapter: ChannelAdapter<unknown>, stored: Config): Config {
  const out: Config = { ...stored };
  for (const field of adapter.secretFields) if (out[field] !== undefined) out[field] = HIDDEN_SECRET;
  return out;
}

/** The endpoint fields (ChannelAdapter.endpointFields) whose value an update changes. */
export function changedEndpoints(adapter: ChannelAdapter<unknown>, incoming: Config, stored: Config): string[] {
  return (adapter.endpointFields ?? []).filter((field) => incoming[field] !== stored[field]);
}

/**
 * On update, a secret sent back as HIDDEN_SECRET (or left out) keeps its stored value, unless
 * the update changes an endpoint: then no stored secret is carried over, so each must be given again.
 */
export function mergeSecrets(adapter: ChannelAdapter<unknown>, incoming: Config, stored: Config): Config {
  const out: Config = { ...incoming };
  if (changedEndpoints(adapter, incoming, stored).length > 0) return out;
  for (const field of adapter.secretFields) {
    if ((out[field] === undefined || out[field] === HIDDEN_SECRET) && stored[field] !== undefined) out[field] = stored[field];
  }
  return out;
}

export class MissingMasterKeyError extends Error {
  constructor() {
    super("LOOPGATE_MASTER_KEY is not set: channel secrets cannot be encrypted at rest. Set it (wrangler secret put LOOPGATE_MASTER_KEY).");
  }
}

const boxes = new Map<string, Promise<SecretBox>>();

/** One SecretBox per master key per isolate; key derivation is not free. */
export function secretBoxFor(masterKey: string | undefined): Promise<SecretBox | null> {
  if (!masterKey) return Promise.resolve(null);
  let box = boxes.get(masterKey);
  if (!box) {
    box = SecretBox.fromMasterKey(masterKey);
    boxes.set(masterKey, box);
  }
  return box;
}
