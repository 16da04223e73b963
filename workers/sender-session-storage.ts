/**
 * The SenderSession object's own SQLite tables: the inbox (a message's row is written before the
 * webhook is acknowledged and removed once its record is in D1), the platform ids seen (the
 * dedupe, kept for LEDGER_RETENTION_MS after the message is done), the conversation history,
 * the outbound ledger (one row per reply chunk, keyed by turn, removed as it is delivered, so a
 * reply goes out at most once), the message a streamed reply grows in (`live_reply`, one per
 * turn) and a small key-value table for the limiter window, pairing guesses and alarm failures.
 *
 * Every row written costs (SQLite counts each index entry as a row, and a TEXT primary key on a
 * rowid table is an index of its own), so tables keyed by text are WITHOUT ROWID and no index
 * exists that no query needs: docs/performance.md, "Durable Object storage per message".
 */

export const SCHEMA = [
  // Messages not yet recorded in D1; a message leaves it (deleted) when its record is written.
  `CREATE TABLE IF NOT EXISTS inbox (
    id TEXT PRIMARY KEY,
    platform_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    sender_id TEXT NOT NULL,
    sender_name TEXT,
    conversation_id TEXT,
    text TEXT NOT NULL,
    attachments TEXT,
    reply_context TEXT,
    received_at INTEGER NOT NULL,
    state TEXT NOT NULL,          -- pending | waiting | recording
    record TEXT,                  -- the D1 record, kept until it is written
    attempts INTEGER NOT NULL DEFAULT 0,  -- failed processing attempts (a restart mid-message counts as one)
    delivery TEXT                 -- the reply's delivery outcome (JSON), kept when the pass's D1 write failed
  ) WITHOUT ROWID`,
  // Every platform id received, for the dedupe of webhook retries; pruned after LEDGER_RETENTION_MS.
  `CREATE TABLE IF NOT EXISTS inbox_seen (
    platform_id TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    received_at INTEGER NOT NULL
  ) WITHOUT ROWID`,
  // One row per exchange (src/agent/memory-store.ts): its turns are numbered seq, seq + 1, ...
  // seq is the rowid: no AUTOINCREMENT, whose sqlite_sequence row would be a second write.
  `CREATE TABLE IF NOT EXISTS history (
    seq INTEGER PRIMARY KEY,
    turns TEXT NOT NULL,          -- JSON [{ role, content }, ...]
    at INTEGER NOT NULL
  )`,
  // Chunks not yet delivered (and those retrying); a row is deleted when it is sent or has failed for good.
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
    status TEXT NOT NULL,         -- pending (sent and failed rows are deleted)
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    approval_id TEXT              -- set on an approval prompt: the adapter adds Approve/Deny buttons
  ) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID`,
  // A streamed reply's message, per turn: a re-run turn and the final delivery edit this one message.
  `CREATE TABLE IF NOT EXISTS live_reply (
    turn_id TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL,
    message_id TEXT NOT NULL,     -- the platform's id of the message the stream posted
    shown TEXT NOT NULL,          -- the text the platform last accepted
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID`,
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
  state: "pending" | "waiting" | "recording";
  record: string | null;
  attempts: number;
  delivery: string | null;
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
  status: "pending";
  attempts: number;
  next_at: number;
  last_error: string | null;
  created_at: number;
  approval_id: string | null;
};

/** The inbox's columns before this layout, as objects created earlier have them. */
const INBOX_COLUMNS =
  "id, platform_id, channel_id, sender_id, sender_name, conversation_id, text, attachments, reply_context, received_at, state, record, attempts";

/**
 * One call for the whole schema: an object runs it each time it starts. Objects created before
 * the current layout are brought to it in place, in one transaction (`transact`), with their rows.
 * Their history, outbox, kv and live_reply tables keep the earlier layout, which the code reads
 * and writes the same way (they only cost more rows written).
 */
export function migrate(sql: SqlStorage, transact: (fn: () => void) => void): void {
  const inbox = sql.exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'inbox'").toArray()[0];
  if (inbox && !/WITHOUT ROWID/i.test(inbox.sql)) transact(() => upgradeInbox(sql));
  const history = sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('history') WHERE name = 'role'").toArray()[0];
  if (history) transact(() => upgradeHistory(sql));
  sql.exec(SCHEMA.join(";\n"));
  // Objects created before files were sent, and before approval prompts.
  const outbox = new Set(
    sql
      .exec<{ name: string }>("SELECT name FROM pragma_table_info('outbox')")
      .toArray()
      .map((c) => c.name),
  );
  if (!outbox.has("file")) sql.exec("ALTER TABLE outbox ADD COLUMN file TEXT");
  if (!outbox.has("approval_id")) sql.exec("ALTER TABLE outbox ADD COLUMN approval_id TEXT");
}

/** History kept one row per turn (with an AUTOINCREMENT key): each becomes an exchange of one turn, its seq kept. */
function upgradeHistory(sql: SqlStorage): void {
  sql.exec("ALTER TABLE history RENAME TO history_before");
  sql.exec(SCHEMA.join(";\n"));
  sql.exec("INSERT INTO history (seq, turns, at) SELECT seq, json_array(json_object('role', role, 'content', content)), at FROM history_before");
  sql.exec("DROP TABLE history_before");
}

/**
 * The inbox before this layout kept every message (a rowid table with a text key, a unique index
 * on the platform id and an index on the state: four rows written per insert) and marked it done.
 * Now the open messages stay in `inbox` and the platform ids in `inbox_seen`.
 */
function upgradeInbox(sql: SqlStorage): void {
  const columns = new Set(
    sql
      .exec<{ name: string }>("SELECT name FROM pragma_table_info('inbox')")
      .toArray()
      .map((c) => c.name),
  );
  // Objects created before processing attempts were counted in the inbox row.
  if (!columns.has("attempts")) sql.exec("ALTER TABLE inbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0");
  sql.exec("ALTER TABLE inbox RENAME TO inbox_before");
  sql.exec("DROP INDEX IF EXISTS inbox_state");
  sql.exec(SCHEMA.join(";\n"));
  sql.exec("INSERT OR IGNORE INTO inbox_seen (platform_id, id, received_at) SELECT platform_id, id, received_at FROM inbox_before");
  sql.exec(`INSERT INTO inbox (${INBOX_COLUMNS}) SELECT ${INBOX_COLUMNS} FROM inbox_before WHERE state != 'done'`);
  sql.exec("DROP TABLE inbox_before");
  // Delivered chunks were kept (sent or failed); now they leave the outbox when settled. A message
  // whose record is not in D1 yet takes its reply's last settled outcome along, as the pass would.
  const settled = sql
    .exec<{ id: string; status: "sent" | "failed"; attempts: number; last_error: string | null; created_at: number }>(
      `SELECT i.id, o.status, o.attempts, o.last_error, o.created_at FROM inbox i JOIN outbox o ON o.id = (
         SELECT id FROM outbox WHERE turn_id = i.id AND status != 'pending' ORDER BY id DESC LIMIT 1)
       WHERE i.state = 'recording'`,
    )
    .toArray();
  for (const r of settled) {
    const outcome = { status: r.status, attempts: r.attempts, ...(r.last_error ? { error: r.last_error } : {}), at: r.created_at };
    sql.exec("UPDATE inbox SET delivery = ? WHERE id = ?", JSON.stringify(outcome), r.id);
  }
  sql.exec("DELETE FROM outbox WHERE status != 'pending'");
  // Only pending chunks remain, so no query needs the index on the outbox's status.
  sql.exec("DROP INDEX IF EXISTS outbox_due");
}

export function kvGet<T>(sql: SqlStorage, key: string, fallback: T): T {
  const row = sql.exec<{ value: string }>("SELECT value FROM kv WHERE key = ?", key).toArray()[0];
  return row ? (JSON.parse(row.value) as T) : fallback;
}

export function kvSet(sql: SqlStorage, key: string, value: unknown): void {
  // An unchanged value writes nothing.
  sql.exec(
    "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value WHERE value IS NOT excluded.value",
    key,
    JSON.stringify(value),
  );
}
