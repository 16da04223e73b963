/**
 * Channel configs at rest: secret fields are sealed with the master key (Keyring) before they
 * reach D1, opened only where a request must be verified or a reply sent, hidden in API
 * answers, and sealed again under the new key after a rotation (resealConfig).
 */
import type { Keyring } from "../../crypto/keyring";
import { SecretBox } from "../../crypto/secret-box";
import type { ChannelAdapter } from "./types";

export const HIDDEN_SECRET = "[hidden]";

type Config = Record<string, unknown>;

export async function sealConfig(adapter: ChannelAdapter<unknown>, config: Config, box: Keyring | null): Promise<Config> {
  const out: Config = { ...config };
  for (const field of adapter.secretFields) {
    const value = out[field];
    if (typeof value !== "string" || SecretBox.isSealed(value)) continue;
    if (!box) throw new MissingMasterKeyError();
    out[field] = await box.seal(value);
  }
  return out;
}

export async function openConfig(adapter: ChannelAdapter<unknown>, stored: Config, box: Keyring | null): Promise<Config> {
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
  for (const field of adapter.secretFields) if (out[field] !== undefined && out[field] !== null) out[field] = HIDDEN_SECRET;
  return out;
}

/**
 * On update, a secret sent back as HIDDEN_SECRET (or left out) keeps its stored value; an update
 * that also moves an endpoint is refused unless the secrets come again (redirectWithoutSecrets).
 */
export function mergeSecrets(adapter: ChannelAdapter<unknown>, incoming: Config, stored: Config): Config {
  const out: Config = { ...incoming };
  for (const field of adapter.secretFields) {
    if ((out[field] === undefined || out[field] === HIDDEN_SECRET) && stored[field] !== undefined) out[field] = stored[field];
  }
  return out;
}

/** Config keys that name a place by convention: `apiBase`, `callbackUrl`, `host`, `daemon`, `bridgeId`... */
const ENDPOINT_KEY = /(url|uri|base|host|hostname|port|tls|endpoint|server|daemon|bridgeid)$/i;

/** The adapter's declared endpoint fields, plus every key of `configs` named like one. */
export function endpointFieldsOf(adapter: ChannelAdapter<unknown>, ...configs: Config[]): string[] {
  const named = configs.flatMap((c) => Object.keys(c)).filter((k) => ENDPOINT_KEY.test(k) && !adapter.secretFields.includes(k));
  return [...new Set([...(adapter.endpointFields ?? []), ...named])];
}

/**
 * On update: which endpoint fields change, and which stored secrets were not sent again.
 * When both lists are non-empty the update must be refused: the stored secrets would go to
 * the new place on the next setup or reply (a token exfiltrated by changing only `apiBase`).
 * `parsed` is the new config after its schema (defaults applied), `stored` the opened old one.
 */
export function redirectWithoutSecrets(
  adapter: ChannelAdapter<unknown>,
  incoming: Config,
  stored: Config,
  parsed: Config,
): { changed: string[]; missing: string[] } {
  const changed = endpointFieldsOf(adapter, parsed, stored).filter((f) => JSON.stringify(parsed[f]) !== JSON.stringify(stored[f]));
  const missing = adapter.secretFields.filter((f) => stored[f] !== undefined && (incoming[f] === undefined || incoming[f] === HIDDEN_SECRET));
  return { changed, missing };
}

export class MissingMasterKeyError extends Error {
  constructor() {
    super("LOOPGATE_MASTER_KEY is not set: channel secrets cannot be encrypted at rest. Set it (wrangler secret put LOOPGATE_MASTER_KEY).");
  }
}

/**
 * Seals again, under the current key, every secret field sealed under another one (after a
 * rotation); `changed` says whether anything was. Plaintext secrets (stored before sealing
 * existed) are sealed too.
 */
export async function resealConfig(adapter: ChannelAdapter<unknown>, stored: Config, ring: Keyring): Promise<{ config: Config; changed: boolean }> {
  const out: Config = { ...stored };
  let changed = false;
  for (const field of adapter.secretFields) {
    const value = out[field];
    if (typeof value !== "string") continue;
    if (SecretBox.isSealed(value) && !ring.isStale(value)) continue;
    out[field] = await ring.seal(SecretBox.isSealed(value) ? await ring.open(value) : value);
    changed = true;
  }
  return { config: out, changed };
}
