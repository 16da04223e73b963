/**
 * The `recall` memory in a real SenderSession object's SQLite (workerd): FTS5 finds notes by
 * word and prefix, ranks them, ignores FTS syntax in the query, follows edits and deletions,
 * indexes notes saved before the index existed, and is emptied when the sender is forgotten.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  CONTEXT_NOTES,
  clearAgentMemory,
  deleteNote,
  listNotes,
  loadAgentMemory,
  migrateAgentMemory,
  saveAgentMemory,
  searchNotes,
  updateNote,
} from "../../src/agent/memory-store";
import { senderSession } from "../../src/objects/addresses";

const inObject = <T>(name: string, fn: (sql: SqlStorage) => T) =>
  runInDurableObject(senderSession(env, "ch_recall", name), (_i, state) => fn(state.storage.sql));

describe("recall over a sender's notes", () => {
  it("finds notes by word and prefix, best match first, and never parses the query as FTS syntax", async () => {
    await inObject("ada", (sql) => {
      migrateAgentMemory(sql);
      saveAgentMemory(
        sql,
        { notesAdded: ["Sister Maria's birthday is 3 May", "Prefers tea over coffee", "Birthday party at the café, birthday cake ordered"] },
        1,
      );
      expect(searchNotes(sql, "birthday").map((n) => n.text)).toEqual([
        "Birthday party at the café, birthday cake ordered",
        "Sister Maria's birthday is 3 May",
      ]);
      expect(searchNotes(sql, "coff").map((n) => n.text)).toEqual(["Prefers tea over coffee"]);
      expect(searchNotes(sql, "cafe").map((n) => n.text)).toEqual(["Birthday party at the café, birthday cake ordered"]);
      expect(searchNotes(sql, 'tea" NEAR(* -').map((n) => n.text)).toEqual(["Prefers tea over coffee"]);
      expect(searchNotes(sql, "!!!")).toEqual([]);
    });
  });

  it("follows the admin's edits and deletions, and is emptied with the sender's memory", async () => {
    await inObject("bob", (sql) => {
      migrateAgentMemory(sql);
      saveAgentMemory(sql, { notesAdded: ["Lives in Porto", "Has a dog called Rui"] }, 1);
      const [porto, dog] = listNotes(sql);
      expect(updateNote(sql, porto!.id, "Lives in Lisbon")).toBe(true);
      expect(searchNotes(sql, "Porto")).toEqual([]);
      expect(searchNotes(sql, "Lisbon").map((n) => n.text)).toEqual(["Lives in Lisbon"]);
      expect(deleteNote(sql, dog!.id)).toBe(true);
      expect(searchNotes(sql, "dog")).toEqual([]);
      expect(deleteNote(sql, dog!.id)).toBe(false);
      clearAgentMemory(sql);
      expect(searchNotes(sql, "Lisbon")).toEqual([]);
      expect(sql.exec("SELECT count(*) AS n FROM agent_notes_fts").toArray()[0]!.n).toBe(0);
    });
  });

  it("indexes notes saved before the index existed, and shows only the newest in the context", async () => {
    await inObject("cleo", (sql) => {
      sql.exec("DROP TABLE IF EXISTS agent_notes_fts");
      for (const t of ["agent_notes_ai", "agent_notes_ad", "agent_notes_au"]) sql.exec(`DROP TRIGGER IF EXISTS ${t}`);
      sql.exec("CREATE TABLE IF NOT EXISTS agent_notes (id INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT NOT NULL, at INTEGER NOT NULL)");
      for (let i = 1; i <= CONTEXT_NOTES + 5; i++) sql.exec("INSERT INTO agent_notes (text, at) VALUES (?, ?)", `note number ${i} about sailing`, i);
      migrateAgentMemory(sql);
      expect(searchNotes(sql, "sailing", 100)).toHaveLength(CONTEXT_NOTES + 5);
      const memory = loadAgentMemory(sql);
      expect(memory.noteCount).toBe(CONTEXT_NOTES + 5);
      expect(memory.notes).toHaveLength(CONTEXT_NOTES);
      expect(memory.notes[0]).toBe("note number 6 about sailing");
    });
  });
});
