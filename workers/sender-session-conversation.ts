/**
 * The conversation as the sender's object last stored it (history the model still sees, the
 * summary, the notes), kept in memory so a turn does not read back what the object itself
 * wrote. The object is single-threaded and is the only writer of these tables, so the copy
 * is exact: it is loaded once per object instance and changed with every write.
 */
import {
  activeHistory,
  appendHistory,
  clearAgentMemory,
  deleteNote,
  historyTurns,
  listNotes,
  loadAgentMemory,
  saveAgentMemory,
  updateNote,
} from "../src/agent/memory-store";
import type { AgentMemory, ChatTurn, MemoryUpdate } from "../src/agent/types";

export interface Conversation {
  memory: AgentMemory;
  /** Turns after the newest summary, oldest first, each with its `seq`. */
  history: ChatTurn[];
}

export class ConversationStore {
  private loaded: Conversation | null = null;

  constructor(private readonly sql: SqlStorage) {}

  /** What the next turn sees; a copy, so a turn cannot change the store by accident. */
  current(): Conversation {
    this.loaded ??= (() => {
      const memory = loadAgentMemory(this.sql);
      return { memory, history: activeHistory(this.sql, memory.summaryThroughSeq) };
    })();
    return { memory: { ...this.loaded.memory, notes: [...this.loaded.memory.notes] }, history: [...this.loaded.history] };
  }

  /** Appends a turn's exchange and memory update; call inside the turn's transaction. */
  append(turns: ChatTurn[], update: MemoryUpdate | null, now: number): void {
    if (turns.length > 0) {
      const first = appendHistory(this.sql, turns, now);
      this.loaded?.history.push(...turns.map((t, i) => ({ role: t.role, content: t.content, seq: first + i })));
    }
    if (!update) return;
    saveAgentMemory(this.sql, update, now);
    if (!this.loaded) return;
    const memory = this.loaded.memory;
    memory.noteCount = (memory.noteCount ?? memory.notes.length) + update.notesAdded.length;
    memory.notes.push(...update.notesAdded);
    if (update.summary) {
      const through = update.summary.throughSeq;
      memory.summary = update.summary.text;
      memory.summaryThroughSeq = through;
      this.loaded.history = this.loaded.history.filter((t) => (t.seq ?? 0) > through);
    }
  }

  /** The notes the agent keeps on this sender, oldest first, with their ids (the dashboard's view). */
  notes(): { id: number; text: string; at: number }[] {
    return listNotes(this.sql);
  }

  /** The admin's edit of a note; the next turn sees the new text (the cached copy is dropped). */
  editNote(id: number, text: string): boolean {
    const changed = updateNote(this.sql, id, text);
    if (changed) this.loaded = null;
    return changed;
  }

  /** The admin's removal of a note, from the notes and from the recall index. */
  removeNote(id: number): boolean {
    const removed = deleteNote(this.sql, id);
    if (removed) this.loaded = null;
    return removed;
  }

  /** The session was cleaned up after long inactivity, or the sender deleted: history and memory go. */
  clear(): void {
    this.sql.exec("DELETE FROM history");
    clearAgentMemory(this.sql);
    this.loaded = null;
  }

  /** Every stored turn, summarised ones included, oldest first. */
  all(): ChatTurn[] {
    return historyTurns(this.sql.exec("SELECT seq, turns FROM history ORDER BY seq").toArray()).map(({ role, content }) => ({ role, content }));
  }
}
