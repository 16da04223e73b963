/**
 * Stands in for the Anthropic SDK's `./lib/credentials/token-cache.mjs` in the Worker bundle
 * (see credential-chain.ts beside it): the SDK builds a token cache only for a credential
 * provider, and the Worker's client is always built with an API key.
 */
export class TokenCache {
  constructor() {
    throw new Error("Anthropic credential providers are not built into the Loopgate Worker; set ANTHROPIC_API_KEY");
  }
}
