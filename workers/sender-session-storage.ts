/**
 * The SenderSession object's own SQLite tables: the inbox (persisted before the webhook is
 * acknowledged; its unique platform id is the dedupe), the conversation history, the outbound
 * ledger (one row per reply chunk, keyed by turn, so a reply goes out at most once), the
 * message a streamed reply grows in (`live_reply`, one per turn) and a small key-value table
 * for the limiter window, pairing guesses and alarm failures.
 */

export const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS inbox (
    id TEXT PRIMARY KEY,
    platform_id TEXT NOT NULL UNIQUE,
    channel_id TEXT NOT NULL,
    sender_id TEXT NOT NULL,
    sender_name TEXT,
    conversation_id TEXT,
    text TEXT NOT NULL,
    attachments TEXT,
    reply_context TEXT,
    received_at INTEGER NOT NULL,
    state TEXT NOT NULL,          -- pending | waiting | recording | done
    record TEXT,                  -- the D1 record, kept until it is written
    attempts INTEGER NOT NULL DEFAULT 0  -- processing attempts, counted before each
  )`,
  `CREATE INDEX IF NOT EXISTS inbox_state ON inbox(state, received_at)`,
  `CREATE TABLE IF NOT EXISTS history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    at INTEGER NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS outbox (
    id TEXT PRIMARY KEY,          -- <turn id>:<chunk index>
    turn_id TEXT NOT NULL,
    run_id TEXT,
    channel_id TEXT NOT NULL,
    recipient TEXT NOT NULL,
    conversation_id TEXT,
    in_reply_to TEXT,
    reply_context TEXT,
    text TEXT NOT NULL,
    file TEXT,                    -- a file the agent sent (JSON, base64 bytes); text then names it
    status TEXT NOT NULL,         -- pending | sent | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    approval_id TEXT              -- set on an approval prompt: the adapter adds Approve/Deny buttons
  )`,
  `CREATE INDEX IF NOT EXISTS outbox_due ON outbox(status, created_at)`,
  `CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  // A streamed reply's message, per turn: a re-run turn and the final delivery edit this one message.
  `CREATE TABLE IF NOT EXISTS live_reply (
    turn_id TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL,
    message_id TEXT NOT NULL,     -- the platform's id of the message the stream posted
    shown TEXT NOT NULL,          -- the text the platform last accepted
    updated_at INTEGER NOT NULL
  )`,
];

export type InboxRow = {
  id: string;
  platform_id: string;
  channel_id: string;
  sender_id: string;
  sender_name: string | null;
  conversation_id: string | null;
  text: string;
  attachments: string | null;
  reply_context: string | null;
  received_at: number;
  /** `waiting`: a container run has the turn (sender-session-container.ts), or an approval (sender-session-approvals.ts). */
  state: "pending" | "waiting" | "recording" | "done";
  record: string | null;
  attempts: number;
};

export type OutboxRow = {
  id: string;
  turn_id: string;
  run_id: string | null;
  channel_id: string;
  recipient: string;
  conversation_id: string | null;
  in_reply_to: string | null;
  reply_context: string | null;
  text: string;
  /** A file row (sender-session-files.ts): the file as JSON; `text` is the line sent where it cannot be attached. */
  file: string | null;
  status: "pending" | "sent" | "failed";
  attempts: number;
  next_at: number;
  last_error: string | null;
  created_at: number;
  approval_id: string | null;
};

/** One call for the whole schema: an object runs it each time it starts. */
export function migrate(sql: SqlStorage): void {
  sql.exec(SCHEMA.join(";\n"));
  // Objects created before processing attempts were counted in the inbox row, and before files were sent.
  for (const change of ["ALTER TABLE inbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0", "ALTER TABLE outbox ADD COLUMN file TEXT"]) {
    try {
      sql.exec(change);
    } catch {
      // the column exists
    }
  }
  // Objects created before approval prompts.
  try {
    sql.exec("ALTER TABLE outbox ADD COLUMN approval_id TEXT");
  } catch {
    // the column exists
  }
}

export function kvGet<T>(sql: SqlStorage, key: string, fallback: T): T {
  const row = sql.exec<{ value: string }>("SELECT value FROM kv WHERE key = ?", key).toArray()[0];
  return row ? (JSON.parse(row.value) as T) : fallback;
}

export function kvSet(sql: SqlStorage, key: string, value: unknown): void {
  sql.exec("INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, JSON.stringify(value));
}
