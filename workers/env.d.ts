// Secrets and optional variables: `wrangler types` sees only what wrangler.toml declares,
// so the ones set with `wrangler secret put` or .dev.vars are declared here.
// Every setting src/config.ts reads; LOOPGATE_VERSION is left to wrangler.toml's [vars], whose
// literal type the generated Env already carries.
type LoopgateSecrets = Omit<import("../src/config").GatewaySettings, "LOOPGATE_VERSION">;
interface Env extends LoopgateSecrets {}
declare namespace Cloudflare {
  interface Env extends LoopgateSecrets {}
}
