// Secrets and optional variables: `wrangler types` sees only what wrangler.toml declares,
// so the ones set with `wrangler secret put` or .dev.vars are declared here.
// Every setting src/config.ts reads; LOOPGATE_VERSION is left to wrangler.toml's [vars], whose
// literal type the generated Env already carries.
type LoopgateSecrets = Omit<import("../src/config").GatewaySettings, "LOOPGATE_VERSION">;
interface Env extends LoopgateSecrets {}
declare namespace Cloudflare {
  interface Env extends LoopgateSecrets {}
}
// Workers AI for voice notes, when deployed with `[ai] binding = "AI"` (docs/media.md); left out of
// wrangler.toml because a local AI binding needs a Cloudflare login, and the REST API serves instead.
interface Env {
  AI?: import("../src/agent/transcribe").AiBinding;
}
