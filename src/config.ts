/**
 * Gateway configuration from the environment (wrangler vars and secrets; `.dev.vars` and the
 * process environment locally). Every knob is listed here and in .dev.vars.example.
 */
import * as z from "zod";
import { BRIDGE_ID_PATTERN } from "./protocol/bridge";

const int = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Every gateway setting; `loopgate start --config` checks a file's `settings:` with it. */
export const configSchema = z.object({
  LOOPGATE_VERSION: z.string().default("0.0.0"),
  /** Encrypts channel secrets at rest (AES-GCM via HKDF). */
  LOOPGATE_MASTER_KEY: z.string().optional(),
  /** During a rotation: the old master key, which still opens what it sealed until `loopgate reseal` has run. */
  LOOPGATE_MASTER_KEY_PREVIOUS: z.string().optional(),
  /** Required to create the first admin; see docs/security.md. */
  LOOPGATE_SETUP_TOKEN: z.string().optional(),
  /** Public base URL of the gateway, used for inbound webhook URLs. */
  PUBLIC_URL: z.string().optional(),
  ANTHROPIC_API_KEY: z.string().optional(),
  ANTHROPIC_BASE_URL: z.string().optional(),
  /** Agent defaults (channels may override model, max tokens, prompt and tools); see docs/agent.md. */
  AGENT_MODEL: z.string().default("claude-sonnet-5-5"),
  AGENT_MAX_TOKENS: int(2048),
  /** Model requests per turn, tool steps included. */
  AGENT_MAX_STEPS: int(8),
  /** Attempts per model request (429 with retry-after, 529, 5xx, timeouts, broken streams). */
  AGENT_MAX_ATTEMPTS: int(4),
  AGENT_RETRY_BASE_MS: int(1000),
  /** A retry-after longer than this fails the turn instead of waiting. */
  AGENT_RETRY_MAX_WAIT_MS: int(60_000),
  AGENT_TIMEOUT_MS: int(120_000),
  /** Models that take over, in order, when the model is overloaded, rate-limited or down (comma-separated); channels may override. */
  AGENT_FALLBACK_MODELS: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((m) => m.trim())
        .filter(Boolean),
    ),
  /** Failed attempts (529, 429, 5xx, timeouts) on one model before the next fallback model takes over. */
  AGENT_FAILOVER_AFTER_ATTEMPTS: int(2),
  /** Estimated tokens of history above which older turns are compacted into a summary. */
  AGENT_HISTORY_TOKEN_BUDGET: int(24_000),
  /** Run agent turns in containers on a bridge (docs/containers.md); channels may override. */
  AGENT_CONTAINER_MODE: z
    .enum(["true", "false", "1", "0"])
    .default("false")
    .transform((v) => v === "true" || v === "1"),
  /** The bridge that runs containers for channels that do not name one (bridged channels default to their own bridge). */
  AGENT_CONTAINER_BRIDGE: z.string().regex(BRIDGE_ID_PATTERN, "must be a bridge id (brg_...)").optional(),
  /** How long a sender's object waits for a container run's result before telling the sender it failed. */
  AGENT_CONTAINER_RESULT_TIMEOUT_MS: int(900_000),
  /** Tokens (uncached input + cache writes + output) one container run may use; the bridge enforces it. */
  AGENT_CONTAINER_RUN_TOKEN_BUDGET: int(200_000),
  /** Daily caps (UTC days); 0 turns a cap off. */
  SENDER_DAILY_TOKEN_LIMIT: z.coerce.number().int().min(0).default(300_000),
  SENDER_DAILY_COST_LIMIT_USD: z.coerce.number().min(0).default(2),
  ACCOUNT_DAILY_COST_LIMIT_USD: z.coerce.number().min(0).default(50),
  /** Messages per minute per sender when a channel sets no limit of its own. */
  RATE_LIMIT_PER_MINUTE: int(10),
  /** Requests per minute per client IP on /api/*. */
  API_RATE_LIMIT_PER_MINUTE: int(120),
  /** Largest request body /api accepts, bytes; bigger ones get 413 before they are read whole. */
  API_MAX_BODY_BYTES: int(1024 * 1024),
  /**
   * Key clients by CF-Connecting-IP. True on Cloudflare, whose edge sets the header; `npm start`
   * sets it false, since there the header is whatever the client sent.
   */
  TRUST_CF_CONNECTING_IP: z
    .enum(["true", "false", "1", "0"])
    .default("true")
    .transform((v) => v === "true" || v === "1"),
  /** Failed logins allowed per 15 minutes, per IP and per username. */
  LOGIN_FAILURES_PER_15_MINUTES: int(10),
  SESSION_TOKEN_TTL_HOURS: int(24 * 7),
  /** First reply-delivery retry delay; each later retry doubles it. */
  DELIVERY_RETRY_BASE_MS: int(2000),
  DELIVERY_MAX_ATTEMPTS: int(8),
  /** A conversation idle this long is marked stale. */
  SESSION_STALE_AFTER_MINUTES: int(24 * 60),
  /** A stale conversation's history is deleted after this many days without activity. */
  SESSION_CLEANUP_AFTER_DAYS: int(30),
  /** Largest attachment downloaded per kind, bytes (docs/media.md): images, PDFs, text files, audio for transcription. */
  MEDIA_MAX_IMAGE_BYTES: int(5 * 1024 * 1024),
  MEDIA_MAX_PDF_BYTES: int(32 * 1024 * 1024),
  MEDIA_MAX_TEXT_BYTES: int(1024 * 1024),
  MEDIA_MAX_AUDIO_BYTES: int(25 * 1024 * 1024),
  /** Attachments are kept in R2 this many days, then deleted by the heartbeat. */
  MEDIA_RETENTION_DAYS: int(30),
  /** Workers AI speech-to-text model for voice notes (through the AI binding, or the REST API below). */
  TRANSCRIBE_MODEL: z.string().default("@cf/openai/whisper-large-v3-turbo"),
  /** Workers AI over REST when the Worker has no AI binding (local development): account id and an API token with Workers AI read. */
  CLOUDFLARE_ACCOUNT_ID: z.string().optional(),
  CLOUDFLARE_AI_TOKEN: z.string().optional(),
  CLOUDFLARE_API_BASE_URL: z.string().default("https://api.cloudflare.com/client/v4"),
  /** An OpenAI-compatible `/audio/transcriptions` endpoint instead of Workers AI, e.g. https://api.openai.com/v1. */
  TRANSCRIBE_OPENAI_BASE_URL: z.string().optional(),
  TRANSCRIBE_OPENAI_API_KEY: z.string().optional(),
  TRANSCRIBE_OPENAI_MODEL: z.string().default("whisper-1"),
  /** What that endpoint charges per audio minute, for /api/usage. */
  TRANSCRIBE_OPENAI_USD_PER_MINUTE: z.coerce.number().min(0).default(0.006),
});

export type GatewayConfig = z.infer<typeof configSchema>;

/** The settings as the environment holds them, before parsing: every key optional, every value a string. */
export type GatewaySettings = { [K in keyof z.input<typeof configSchema>]?: string };

/** The last settings parsed and their result: the environment rarely changes within an isolate. */
let parsedLast: { fingerprint: string; config: GatewayConfig } | null = null;

/**
 * Parses the settings once per isolate rather than once per request and object call: the
 * fingerprint of the string values (cheap) decides whether the last parse still holds.
 */
export function readConfig(env: object): GatewayConfig {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(env)) if (typeof value === "string" && value !== "") raw[key] = value;
  const fingerprint = JSON.stringify(raw);
  if (parsedLast?.fingerprint === fingerprint) return parsedLast.config;
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid configuration: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  parsedLast = { fingerprint, config: parsed.data };
  return parsed.data;
}
