/**
 * The agent's memory inside the sender's object (its SQLite): running summaries and notes.
 * Compaction never deletes history rows; the newest summary's `through_seq` marks which rows
 * it covers, so the full conversation stays inspectable while the model sees the summary.
 *
 * Notes are searchable with SQLite FTS5 in this same database (the `recall` tool). Why here and
 * not a D1 table: the notes already live here, a search is a local call inside the turn with
 * no network hop, one sender's notes can never leak into another's results, and forgetting the
 * sender (clearAgentMemory, or deleting the object) removes the index with the notes.
 */
import type { AgentMemory, ChatTurn, MemoryUpdate } from "./types";

/** The part of Durable Object SqlStorage used here (kept structural so src/ stays web-standard). */
export interface SqlLike {
  exec(query: string, ...bindings: (string | number | null)[]): { toArray(): Record<string, unknown>[] };
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS agent_summaries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    text TEXT NOT NULL,
    through_seq INTEGER NOT NULL,   -- history rows up to here are covered by this summary
    compacted_turns INTEGER NOT NULL,
    at INTEGER NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS agent_notes (id INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT NOT NULL, at INTEGER NOT NULL)`,
];

/** An external-content FTS5 index over agent_notes, kept in step by triggers. */
const FTS_SCHEMA = [
  `CREATE VIRTUAL TABLE agent_notes_fts USING fts5(text, content='agent_notes', content_rowid='id', tokenize='unicode61 remove_diacritics 2')`,
  `CREATE TRIGGER agent_notes_ai AFTER INSERT ON agent_notes BEGIN INSERT INTO agent_notes_fts(rowid, text) VALUES (new.id, new.text); END`,
  `CREATE TRIGGER agent_notes_ad AFTER DELETE ON agent_notes BEGIN INSERT INTO agent_notes_fts(agent_notes_fts, rowid, text) VALUES ('delete', old.id, old.text); END`,
  `CREATE TRIGGER agent_notes_au AFTER UPDATE ON agent_notes BEGIN
     INSERT INTO agent_notes_fts(agent_notes_fts, rowid, text) VALUES ('delete', old.id, old.text);
     INSERT INTO agent_notes_fts(rowid, text) VALUES (new.id, new.text);
   END`,
  // Notes saved before the index existed.
  `INSERT INTO agent_notes_fts(agent_notes_fts) VALUES ('rebuild')`,
];

/** The newest notes shown in every request's context block; older ones are found with `recall`. */
export const CONTEXT_NOTES = 20;
export const RECALL_LIMIT = 10;

export function migrateAgentMemory(sql: SqlLike): void {
  for (const statement of SCHEMA) sql.exec(statement);
  const indexed = sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'agent_notes_fts'").toArray().length > 0;
  if (!indexed) for (const statement of FTS_SCHEMA) sql.exec(statement);
}

/**
 * Notes matching any word of the query, best match first (FTS5 bm25). Each word is quoted, so
 * the query's punctuation can never be read as FTS syntax; a trailing `*` makes it a prefix.
 */
export function searchNotes(sql: SqlLike, query: string, limit = RECALL_LIMIT): { text: string; at: number }[] {
  const words = query.match(/[\p{L}\p{N}]+/gu)?.slice(0, 16) ?? [];
  if (!words.length) return [];
  const match = words.map((w) => `"${w}"*`).join(" OR ");
  return sql
    .exec(
      "SELECT n.text, n.at FROM agent_notes_fts f JOIN agent_notes n ON n.id = f.rowid WHERE agent_notes_fts MATCH ? ORDER BY bm25(agent_notes_fts) LIMIT ?",
      match,
      limit,
    )
    .toArray()
    .map((r) => ({ text: String(r.text), at: Number(r.at) }));
}

/** Every note, oldest first, for the dashboard. */
export function listNotes(sql: SqlLike): { id: number; text: string; at: number }[] {
  return sql
    .exec("SELECT id, text, at FROM agent_notes ORDER BY id")
    .toArray()
    .map((r) => ({ id: Number(r.id), text: String(r.text), at: Number(r.at) }));
}

/** The admin's edit of one note (the index follows through the triggers); false when it does not exist. */
export function updateNote(sql: SqlLike, id: number, text: string): boolean {
  return sql.exec("UPDATE agent_notes SET text = ? WHERE id = ? RETURNING id", text, id).toArray().length > 0;
}

export function deleteNote(sql: SqlLike, id: number): boolean {
  return sql.exec("DELETE FROM agent_notes WHERE id = ? RETURNING id", id).toArray().length > 0;
}

export function loadAgentMemory(sql: SqlLike): AgentMemory {
  const summary = sql.exec("SELECT text, through_seq FROM agent_summaries ORDER BY id DESC LIMIT 1").toArray()[0];
  const notes = sql
    .exec("SELECT text FROM (SELECT id, text FROM agent_notes ORDER BY id DESC LIMIT ?) ORDER BY id", CONTEXT_NOTES)
    .toArray()
    .map((r) => String(r.text));
  const count = Number(sql.exec("SELECT count(*) AS n FROM agent_notes").toArray()[0]?.n ?? 0);
  return { summary: summary ? String(summary.text) : null, summaryThroughSeq: summary ? Number(summary.through_seq) : 0, notes, noteCount: count };
}

/**
 * The history table holds one row per exchange (`turns`, a JSON list); its turns are numbered
 * from the row's `seq` on, so a summary's `throughSeq` can end inside a row. One row written per
 * exchange instead of one per turn (docs/performance.md).
 */
export function historyTurns(rows: Record<string, unknown>[]): ChatTurn[] {
  return rows.flatMap((r) =>
    (JSON.parse(String(r.turns)) as { role: string; content: string }[]).map((t, i) => ({
      seq: Number(r.seq) + i,
      role: t.role === "assistant" ? ("assistant" as const) : ("user" as const),
      content: String(t.content),
    })),
  );
}

/** The turns the model still sees: those after the newest summary (from the row holding turn `afterSeq` on). */
export function activeHistory(sql: SqlLike, afterSeq: number): ChatTurn[] {
  const rows = sql
    .exec("SELECT seq, turns FROM history WHERE seq >= coalesce((SELECT max(seq) FROM history WHERE seq <= ?), 0) ORDER BY seq", afterSeq)
    .toArray();
  return historyTurns(rows).filter((t) => (t.seq ?? 0) > afterSeq);
}

/** Appends one exchange as one row, numbered on from the last; returns its first turn's seq. */
export function appendHistory(sql: SqlLike, turns: ChatTurn[], now: number): number {
  const row = sql
    .exec(
      "INSERT INTO history (seq, turns, at) VALUES (coalesce((SELECT seq + json_array_length(turns) FROM history ORDER BY seq DESC LIMIT 1), 1), ?, ?) RETURNING seq",
      JSON.stringify(turns.map((t) => ({ role: t.role, content: t.content }))),
      now,
    )
    .toArray()[0];
  return Number(row?.seq);
}

export function saveAgentMemory(sql: SqlLike, update: MemoryUpdate, now: number): void {
  if (update.summary) {
    const s = update.summary;
    sql.exec("INSERT INTO agent_summaries (text, through_seq, compacted_turns, at) VALUES (?, ?, ?, ?)", s.text, s.throughSeq, s.compactedTurns, now);
  }
  for (const note of update.notesAdded) sql.exec("INSERT INTO agent_notes (text, at) VALUES (?, ?)", note, now);
}

/** Forgets everything (the session was cleaned up after long inactivity). */
export function clearAgentMemory(sql: SqlLike): void {
  sql.exec("DELETE FROM agent_summaries");
  sql.exec("DELETE FROM agent_notes");
  // An external-content index keeps its own copy of the words: empty it too.
  sql.exec("INSERT INTO agent_notes_fts(agent_notes_fts) VALUES ('delete-all')");
}
