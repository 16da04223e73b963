// Secrets and optional variables: `wrangler types` sees only what wrangler.toml declares,
// so the ones set with `wrangler secret put` or .dev.vars are declared here.
interface LoopgateSecrets {
  LOOPGATE_MASTER_KEY?: string;
  LOOPGATE_SETUP_TOKEN?: string;
  PUBLIC_URL?: string;
  ANTHROPIC_API_KEY?: string;
  ANTHROPIC_BASE_URL?: string;
  RATE_LIMIT_PER_MINUTE?: string;
  API_RATE_LIMIT_PER_MINUTE?: string;
  LOGIN_FAILURES_PER_15_MINUTES?: string;
  SESSION_TOKEN_TTL_HOURS?: string;
  DELIVERY_RETRY_BASE_MS?: string;
  DELIVERY_MAX_ATTEMPTS?: string;
  SESSION_STALE_AFTER_MINUTES?: string;
  SESSION_CLEANUP_AFTER_DAYS?: string;
}
interface Env extends LoopgateSecrets {}
declare namespace Cloudflare {
  interface Env extends LoopgateSecrets {}
}
