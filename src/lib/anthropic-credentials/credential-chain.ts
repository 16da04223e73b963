/**
 * Stands in for the Anthropic SDK's `./lib/credentials/credential-chain.mjs` in the Worker bundle
 * (see the `[alias]` in wrangler.toml). The SDK resolves OAuth and workload-identity credentials
 * from profile files and `ANTHROPIC_*` variables when a client is built without a key; the
 * gateway always builds its client with ANTHROPIC_API_KEY (src/agent/claude.ts; without one the
 * runtime is the offline echo model), so that chain (its providers, file handling and token
 * cache, about 12 KiB minified) never runs in the Worker.
 */

const NOT_BUILT_IN = "Anthropic credential profiles are not built into the Loopgate Worker; set ANTHROPIC_API_KEY";

/** A `credentials` config passed to the client: never done by the gateway. */
export function resolveCredentialsFromConfig(): never {
  throw new Error(NOT_BUILT_IN);
}

/** The chain a client without a key walks: no profile, so no credentials (the SDK then reports the missing key). */
export async function defaultCredentials(): Promise<null> {
  return null;
}
