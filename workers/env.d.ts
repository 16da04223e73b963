// Secrets and optional variables: `wrangler types` sees only what wrangler.toml declares,
// so the ones set with `wrangler secret put` or .dev.vars are declared here.
interface LoopgateSecrets {
  LOOPGATE_MASTER_KEY?: string;
  LOOPGATE_SETUP_TOKEN?: string;
  PUBLIC_URL?: string;
  ANTHROPIC_API_KEY?: string;
  ANTHROPIC_BASE_URL?: string;
  AGENT_MODEL?: string;
  AGENT_MAX_TOKENS?: string;
  AGENT_MAX_STEPS?: string;
  AGENT_MAX_ATTEMPTS?: string;
  AGENT_RETRY_BASE_MS?: string;
  AGENT_RETRY_MAX_WAIT_MS?: string;
  AGENT_TIMEOUT_MS?: string;
  AGENT_HISTORY_TOKEN_BUDGET?: string;
  AGENT_CONTAINER_MODE?: string;
  AGENT_CONTAINER_BRIDGE?: string;
  AGENT_CONTAINER_RESULT_TIMEOUT_MS?: string;
  AGENT_CONTAINER_RUN_TOKEN_BUDGET?: string;
  SENDER_DAILY_TOKEN_LIMIT?: string;
  SENDER_DAILY_COST_LIMIT_USD?: string;
  ACCOUNT_DAILY_COST_LIMIT_USD?: string;
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
