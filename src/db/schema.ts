/**
 * The D1 schema: what the dashboard and the admin API query across senders.
 * Hot per-sender state (history, limiter window, dedupe ids) lives in each
 * SenderSession object instead; see docs/architecture.md.
 * Times are unix milliseconds.
 *
 * The tables every message writes (messages, runs, events, sessions, api_calls, spend_daily)
 * and channels are WITHOUT ROWID in the database (migrations/0005_keyed_record_tables.sql),
 * which drizzle does not model: the primary key is the table, so an insert writes no second
 * key b-tree (D1 bills each b-tree entry as a row written). Queries do not depend on it;
 * backups page those tables by primary key (src/db/backup-tables.ts).
 */
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { SENDER_POLICIES } from "../lib/sender-policy";

export const users = sqliteTable("users", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  username: text("username").notNull().unique(),
  passwordHash: text("password_hash").notNull(),
  createdAt: integer("created_at").notNull(),
});

/** Session tokens (from login) and long-lived API tokens, stored as SHA-256 hashes. */
export const authTokens = sqliteTable("auth_tokens", {
  tokenHash: text("token_hash").primaryKey(),
  /** Public handle for listing and revoking; never the token itself. */
  id: text("id").notNull().unique(),
  userId: integer("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  kind: text("kind", { enum: ["session", "api"] }).notNull(),
  name: text("name"),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at"),
  lastUsedAt: integer("last_used_at"),
});

export const channels = sqliteTable("channels", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  name: text("name").notNull(),
  policy: text("policy", { enum: SENDER_POLICIES }).notNull(),
  /** JSON array of platform sender ids allowed by the `allowlist` policy. */
  allowlist: text("allowlist").notNull().default("[]"),
  /** Messages per minute per sender; null means the gateway default. */
  rateLimitPerMinute: integer("rate_limit_per_minute"),
  /** JSON agent settings `{model?, maxTokens?, systemPrompt?, tools?}` (src/agent/settings.ts); null = gateway defaults. */
  agent: text("agent"),
  /** JSON of the type's config; secret fields are AES-GCM sealed (see src/crypto/secret-box.ts). */
  config: text("config").notNull(),
  status: text("status").notNull().default("ok"),
  lastError: text("last_error"),
  /** What the platform needs from the admin now, reported by a bridge (e.g. the WhatsApp login QR string); null once connected. */
  statusDetail: text("status_detail"),
  lastMessageAt: integer("last_message_at"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * Bridges: Node companions that hold sockets for platforms without webhooks (IRC, Signal,
 * Slack Socket Mode). Each dials out to its BridgeHub object with a token stored only hashed.
 */
export const bridges = sqliteTable("bridges", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** SHA-256 of the bridge token; the token itself is shown once at creation. */
  tokenHash: text("token_hash").notNull().unique(),
  /** never (no connection yet), up (heartbeats arriving) or down (heartbeats stopped). */
  status: text("status", { enum: ["never", "up", "down"] })
    .notNull()
    .default("never"),
  lastError: text("last_error"),
  lastConnectedAt: integer("last_connected_at"),
  lastSeenAt: integer("last_seen_at"),
  /** Where to say that the bridge went down or came back: a channel (not served by this bridge) and a recipient on it. */
  notifyChannelId: text("notify_channel_id"),
  notifyRecipient: text("notify_recipient"),
  createdAt: integer("created_at").notNull(),
});

/** Senders recognised on a channel: paired (or revoked) identities. */
export const senders = sqliteTable(
  "senders",
  {
    id: text("id").primaryKey(),
    channelId: text("channel_id").notNull(),
    senderId: text("sender_id").notNull(),
    name: text("name"),
    status: text("status", { enum: ["paired", "revoked"] }).notNull(),
    pairedAt: integer("paired_at"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("senders_channel_sender").on(t.channelId, t.senderId)],
);

/** Pairing codes: `request` codes given to unpaired senders, `invite` codes minted by an admin. */
export const pairings = sqliteTable(
  "pairings",
  {
    code: text("code").primaryKey(),
    kind: text("kind", { enum: ["request", "invite"] }).notNull(),
    channelId: text("channel_id"),
    senderId: text("sender_id"),
    senderName: text("sender_name"),
    status: text("status", { enum: ["pending", "approved", "rejected", "used"] }).notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    decidedAt: integer("decided_at"),
  },
  (t) => [index("pairings_status").on(t.status, t.createdAt)],
);

export const sessions = sqliteTable(
  "sessions",
  {
    /** `${channelId}:${senderId}`, the SenderSession object's name. */
    id: text("id").primaryKey(),
    channelId: text("channel_id").notNull(),
    senderId: text("sender_id").notNull(),
    senderName: text("sender_name"),
    status: text("status", { enum: ["active", "stale", "cleaned"] }).notNull(),
    messageCount: integer("message_count").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    lastActivityAt: integer("last_activity_at").notNull(),
  },
  (t) => [index("sessions_activity").on(t.status, t.lastActivityAt)],
);

export const messages = sqliteTable(
  "messages",
  {
    id: text("id").primaryKey(),
    channelId: text("channel_id").notNull(),
    senderId: text("sender_id").notNull(),
    conversationId: text("conversation_id"),
    direction: text("direction", { enum: ["in", "out"] }).notNull(),
    platformMessageId: text("platform_message_id"),
    text: text("text").notNull(),
    /** What the pipeline did with it: accepted, rate_limited, unpaired, not_allowed, disabled, reply, notice. */
    outcome: text("outcome").notNull(),
    runId: text("run_id"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("messages_channel_sender").on(t.channelId, t.senderId, t.createdAt), index("messages_created").on(t.createdAt)],
);

export const runs = sqliteTable(
  "runs",
  {
    id: text("id").primaryKey(),
    channelId: text("channel_id").notNull(),
    senderId: text("sender_id").notNull(),
    sessionId: text("session_id").notNull(),
    messageId: text("message_id").notNull(),
    status: text("status", { enum: ["ok", "failed"] }).notNull(),
    model: text("model").notNull(),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    costUsd: real("cost_usd").notNull().default(0),
    latencyMs: integer("latency_ms").notNull().default(0),
    error: text("error"),
    deliveryStatus: text("delivery_status", { enum: ["pending", "sent", "failed"] }).notNull(),
    deliveryAttempts: integer("delivery_attempts").notNull().default(0),
    deliveryError: text("delivery_error"),
    createdAt: integer("created_at").notNull(),
    deliveredAt: integer("delivered_at"),
  },
  (t) => [index("runs_created").on(t.createdAt)],
);

/**
 * The audit trail: every pipeline stage's outcome, also fanned out on the live feed. No index
 * besides the primary key (each index is one more row written per event): every read pages or
 * bounds by the time-ordered id (src/api/records.ts, src/api/approvals.ts).
 */
export const events = sqliteTable("events", {
  /** Time-ordered (`evt_...`), the same id the live feed carries, so clients can dedupe. */
  id: text("id").primaryKey(),
  at: integer("at").notNull(),
  kind: text("kind").notNull(),
  channelId: text("channel_id"),
  senderId: text("sender_id"),
  detail: text("detail").notNull().default("{}"),
});

/** Scheduled jobs (see docs/scheduler.md): a cron expression in a time zone running a recipe. */
export const jobs = sqliteTable(
  "jobs",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    cron: text("cron").notNull(),
    timezone: text("timezone").notNull().default("UTC"),
    /** JSON array of recipe steps `{prompt, model?}`, run in order. */
    steps: text("steps").notNull(),
    /** JSON `{channelId, recipient}`, or null to only store the result. */
    deliverTo: text("deliver_to"),
    /**
     * The sender a job belongs to when the agent created it for them (the schedule_job tool):
     * its runs are charged to and capped by that sender's daily budget. Null for admin-created jobs.
     */
    ownerChannelId: text("owner_channel_id"),
    ownerSenderId: text("owner_sender_id"),
    catchUp: text("catch_up", { enum: ["skip", "run-once"] })
      .notNull()
      .default("skip"),
    /** Tries per due time, the first included. */
    retryAttempts: integer("retry_attempts").notNull().default(1),
    /** Delay before the second try; each later try doubles it. */
    retryBackoffMs: integer("retry_backoff_ms").notNull().default(60_000),
    status: text("status", { enum: ["active", "paused"] }).notNull(),
    /** The earliest due time not yet claimed by the heartbeat; null when the cron never fires again. */
    nextRunAt: integer("next_run_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("jobs_due").on(t.status, t.nextRunAt), index("jobs_owner").on(t.ownerChannelId, t.ownerSenderId, t.status)],
);

/** One row per due time of a job (or per manual run): the claim that keeps a time from running twice. */
export const jobRuns = sqliteTable(
  "job_runs",
  {
    id: text("id").primaryKey(),
    jobId: text("job_id").notNull(),
    scheduledFor: integer("scheduled_for").notNull(),
    trigger: text("trigger", { enum: ["schedule", "catch-up", "manual"] }).notNull(),
    status: text("status", { enum: ["queued", "running", "retrying", "ok", "failed", "skipped", "missed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    /** When the runner may start the next try (queued and retrying runs). */
    nextAttemptAt: integer("next_attempt_at"),
    startedAt: integer("started_at"),
    finishedAt: integer("finished_at"),
    output: text("output"),
    /** JSON array of each step's output, in order. */
    stepOutputs: text("step_outputs"),
    /** Why a run failed, or why a due time was missed or skipped. */
    error: text("error"),
    model: text("model"),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    costUsd: real("cost_usd").notNull().default(0),
    delivered: integer("delivered", { mode: "boolean" }).notNull().default(false),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("job_runs_due").on(t.jobId, t.scheduledFor), index("job_runs_pending").on(t.status, t.nextAttemptAt)],
);

/** Autonomous loop tasks; the LoopTask object of each drives it, this row mirrors it for listing. */
export const loopTasks = sqliteTable(
  "loop_tasks",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    prompt: text("prompt").notNull(),
    maxIterations: integer("max_iterations").notNull(),
    completionPromise: text("completion_promise").notNull(),
    costCapUsd: real("cost_cap_usd"),
    noProgressLimit: integer("no_progress_limit").notNull(),
    /** JSON `{channelId, recipient}` told when the task ends. */
    notify: text("notify"),
    /** JSON server tools config (src/agent/server-tools.ts) for its iterations; null: none. */
    serverTools: text("server_tools"),
    status: text("status", { enum: ["running", "stopped", "completed", "failed"] }).notNull(),
    /** completed | max_iterations | cost_cap | no_progress | stopped | error; budget while paused by the account's daily cap (it resumes by itself). */
    stopReason: text("stop_reason"),
    iterations: integer("iterations").notNull().default(0),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    costUsd: real("cost_usd").notNull().default(0),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull(),
    startedAt: integer("started_at").notNull(),
    /** Last sign of life from the object; the heartbeat resumes a running task silent for too long. */
    updatedAt: integer("updated_at").notNull(),
    finishedAt: integer("finished_at"),
  },
  (t) => [index("loop_tasks_status").on(t.status, t.updatedAt)],
);

export const loopIterations = sqliteTable(
  "loop_iterations",
  {
    taskId: integer("task_id").notNull(),
    iteration: integer("iteration").notNull(),
    status: text("status", { enum: ["ok", "failed"] }).notNull(),
    output: text("output").notNull(),
    error: text("error"),
    progress: integer("progress", { mode: "boolean" }).notNull(),
    model: text("model").notNull(),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    costUsd: real("cost_usd").notNull().default(0),
    latencyMs: integer("latency_ms").notNull().default(0),
    startedAt: integer("started_at").notNull(),
    finishedAt: integer("finished_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.iteration] })],
);

/** One row per model request (retried attempts included): the source of usage, cost and budgets. */
export const apiCalls = sqliteTable(
  "api_calls",
  {
    /** `${runId}:${n}`: written with the message's record, idempotently. */
    id: text("id").primaryKey(),
    createdAt: integer("created_at").notNull(),
    channelId: text("channel_id").notNull(),
    senderId: text("sender_id").notNull(),
    sessionId: text("session_id").notNull(),
    runId: text("run_id").notNull(),
    /** turn (answering the sender) or compaction (summarising older history). */
    purpose: text("purpose", { enum: ["turn", "compaction"] }).notNull(),
    /** direct (the Worker called the API) or container (an isolated run through the bridge). */
    mode: text("mode", { enum: ["direct", "container"] }).notNull(),
    model: text("model").notNull(),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    cacheWriteTokens: integer("cache_write_tokens").notNull().default(0),
    cacheReadTokens: integer("cache_read_tokens").notNull().default(0),
    latencyMs: integer("latency_ms").notNull().default(0),
    stopReason: text("stop_reason"),
    status: text("status", { enum: ["ok", "error"] }).notNull(),
    error: text("error"),
    costUsd: real("cost_usd").notNull().default(0),
    /** Cache reads priced as plain input, minus the cache-write premium (negative on a first turn). */
    cacheSavingsUsd: real("cache_savings_usd").notNull().default(0),
    /** Server tool uses in the call (web search and fetch from the API's usage, code runs from the content); search cost is in cost_usd. */
    webSearchRequests: integer("web_search_requests").notNull().default(0),
    webFetchRequests: integer("web_fetch_requests").notNull().default(0),
    codeExecutionRequests: integer("code_execution_requests").notNull().default(0),
  },
  // Only the time index: every row written pays for each index (D1 bills them as rows written).
  // A run's calls are found by their ids (`${runId}:001`, ...: a key range, see usage.ts); a
  // sender's usage is filtered within the period asked for (the dashboard always asks for one),
  // which this index bounds.
  (t) => [index("api_calls_created").on(t.createdAt)],
);

/**
 * Remote MCP servers the admin registered (src/agent/mcp-servers.ts). The API's MCP connector
 * calls them; a channel's or job's agent settings name which ones its agent may use.
 */
export const mcpServers = sqliteTable("mcp_servers", {
  id: text("id").primaryKey(),
  /** Unique; the name the model and `mcp_tool_use` blocks know the server by. */
  name: text("name").notNull().unique(),
  /** https only. */
  url: text("url").notNull(),
  /** The OAuth bearer token, sealed with the master key (enc:v2:...); never returned by the API. */
  token: text("token"),
  /** JSON array of the server's tools the agent may call; null means all of them. */
  allowedTools: text("allowed_tools"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * What the day's model calls cost, kept as running totals so a budget check reads two rows
 * (the account's and the sender's) instead of summing the day's api_calls. A trigger on
 * api_calls (migrations/0002_spend_counters.sql) adds every inserted call, whoever wrote it
 * (conversations, job runs, loop iterations, container runs), so the totals cannot drift
 * from the rows they summarise; a call written twice is ignored by its insert and not added.
 */
export const spendDaily = sqliteTable(
  "spend_daily",
  {
    /** Start of the UTC day, ms. */
    day: integer("day").notNull(),
    /** `account`, or the sender's session id (`${channelId}:${senderId}`). */
    scope: text("scope").notNull(),
    /** Uncached input + cache writes + output, as the sender's token cap counts them. */
    tokens: integer("tokens").notNull().default(0),
    costUsd: real("cost_usd").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.scope] })],
);

/**
 * Files senders attached (src/agent/media.ts): where the bytes are in R2 (`r2Key`, null when
 * they were refused or never downloaded), what the model was shown, and a voice note's
 * transcript. `deletedAt` is set when the retention sweep removed the bytes; the row stays
 * for usage figures. Written with the message's record, idempotently (`${messageId}:${n}`).
 */
export const mediaFiles = sqliteTable(
  "media_files",
  {
    id: text("id").primaryKey(),
    createdAt: integer("created_at").notNull(),
    channelId: text("channel_id").notNull(),
    senderId: text("sender_id").notNull(),
    /** The inbound message (messages.id) the file came with. */
    messageId: text("message_id").notNull(),
    /** image, pdf, text, audio (a voice note or audio file) or other (named to the model only). */
    kind: text("kind", { enum: ["image", "pdf", "text", "audio", "other"] }).notNull(),
    /** stored (in R2), refused (over a limit or unsupported: the sender was told), failed (download or transcription failed), named (not downloaded). */
    status: text("status", { enum: ["stored", "refused", "failed", "named"] }).notNull(),
    mediaType: text("media_type").notNull(),
    name: text("name"),
    sizeBytes: integer("size_bytes").notNull().default(0),
    r2Key: text("r2_key"),
    transcript: text("transcript"),
    transcriptionSeconds: real("transcription_seconds").notNull().default(0),
    transcriptionCostUsd: real("transcription_cost_usd").notNull().default(0),
    /** Why a file was refused or failed, in words the dashboard shows. */
    error: text("error"),
    deletedAt: integer("deleted_at"),
  },
  (t) => [index("media_files_message").on(t.messageId), index("media_files_created").on(t.createdAt)],
);
