/**
 * The agent's memory inside the sender's object (its SQLite): running summaries and notes.
 * Compaction never deletes history rows; the newest summary's `through_seq` marks which rows
 * it covers, so the full conversation stays inspectable while the model sees the summary.
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

export function migrateAgentMemory(sql: SqlLike): void {
  for (const statement of SCHEMA) sql.exec(statement);
}

export function loadAgentMemory(sql: SqlLike): AgentMemory {
  const summary = sql.exec("SELECT text, through_seq FROM agent_summaries ORDER BY id DESC LIMIT 1").toArray()[0];
  const notes = sql
    .exec("SELECT text FROM agent_notes ORDER BY id")
    .toArray()
    .map((r) => String(r.text));
  return { summary: summary ? String(summary.text) : null, summaryThroughSeq: summary ? Number(summary.through_seq) : 0, notes };
}

/** The turns the model still sees: those after the newest summary. */
export function activeHistory(sql: SqlLike, afterSeq: number): ChatTurn[] {
  return sql
    .exec("SELECT seq, role, content FROM history WHERE seq > ? ORDER BY seq", afterSeq)
    .toArray()
    .map((r) => ({ seq: Number(r.seq), role: r.role === "assistant" ? "assistant" : "user", content: String(r.content) }));
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
}
