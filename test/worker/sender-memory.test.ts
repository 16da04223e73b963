/**
 * The agent's notes on a sender through the API, in workerd with the real SenderSession object:
 * listed, edited and deleted (the next turn and the recall index follow), refused when empty,
 * too long or unknown; and deleting the sender removes its history, notes and their search
 * index, its session and its messages, while its runs stay in the usage ledger.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_NOTE_CHARS } from "../../src/agent/tools";
import { searchNotes } from "../../src/agent/memory-store";
import type { ConversationStore } from "../../workers/sender-session-conversation";
import { adminToken, call } from "./helpers";

let token: string;
const SESSION = "web:admin:admin";
const stub = () => env.SENDER_SESSION.get(env.SENDER_SESSION.idFromName(SESSION));
const enc = encodeURIComponent(SESSION);

/** What the next turn would see: the object's cached conversation, not a fresh read of its tables. */
const nextTurnNotes = () =>
  runInDurableObject(stub(), (instance) => (instance as unknown as { conversation: ConversationStore }).conversation.current().memory.notes);
const search = (query: string) => runInDurableObject(stub(), (_i, state) => searchNotes(state.storage.sql, query).map((n) => n.text));
type Note = { id: number; text: string; at: number };

beforeAll(async () => {
  token = await adminToken();
  const chat = await call("POST", "/api/chat?wait=10", { text: "hello there", clientMessageId: "mem-1" }, token);
  expect(chat.status).toBe(200);
  // Notes as a turn's remember tool leaves them: through the object's own store (the offline echo agent keeps none).
  await runInDurableObject(stub(), (instance) =>
    (instance as unknown as { conversation: ConversationStore }).conversation.append([], { notesAdded: ["Lives in Porto", "Has a dog called Rui"] }, 1_000),
  );
});

describe("the agent's notes in the API", () => {
  it("lists, edits and deletes a sender's notes; the next turn and recall follow", async () => {
    expect(await nextTurnNotes()).toEqual(["Lives in Porto", "Has a dog called Rui"]);
    const listed = await call<{ notes: Note[] }>("GET", `/api/sessions/${enc}/notes`, undefined, token);
    expect(listed.status).toBe(200);
    expect(listed.body.notes.map((n) => n.text)).toEqual(["Lives in Porto", "Has a dog called Rui"]);
    const [porto, dog] = listed.body.notes;

    const edited = await call("PUT", `/api/sessions/${enc}/notes/${porto!.id}`, { text: "  Lives in Lisbon " }, token);
    expect(edited).toMatchObject({ status: 200, body: { id: porto!.id, text: "Lives in Lisbon" } });
    expect(await nextTurnNotes()).toEqual(["Lives in Lisbon", "Has a dog called Rui"]);
    expect(await search("Porto")).toEqual([]);
    expect(await search("lisb")).toEqual(["Lives in Lisbon"]);

    expect((await call("DELETE", `/api/sessions/${enc}/notes/${dog!.id}`, undefined, token)).status).toBe(200);
    expect(await nextTurnNotes()).toEqual(["Lives in Lisbon"]);
    expect(await search("dog")).toEqual([]);
    expect((await call("DELETE", `/api/sessions/${enc}/notes/${dog!.id}`, undefined, token)).status).toBe(404);
  });

  it.each([
    ["an empty text", { text: "   " }, 400, "text is required"],
    ["a text past the agent's own limit", { text: "x".repeat(MAX_NOTE_CHARS + 1) }, 400, `at most ${MAX_NOTE_CHARS}`],
    ["an unknown field", { text: "ok", pinned: true }, 400, "pinned"],
  ])("refuses %s", async (_what, payload, status, words) => {
    const [note] = (await call<{ notes: Note[] }>("GET", `/api/sessions/${enc}/notes`, undefined, token)).body.notes;
    const res = await call<{ error: string }>("PUT", `/api/sessions/${enc}/notes/${note!.id}`, payload, token);
    expect(res.status).toBe(status);
    expect(res.body.error).toContain(words);
  });

  it("answers 404 for an unknown conversation or note, 400 for a bad note id, and 401 without a token", async () => {
    expect((await call("GET", "/api/sessions/web%3Anobody/notes", undefined, token)).status).toBe(404);
    expect((await call("PUT", `/api/sessions/${enc}/notes/999999`, { text: "x" }, token)).status).toBe(404);
    expect((await call("DELETE", `/api/sessions/${enc}/notes/abc`, undefined, token)).status).toBe(400);
    expect((await call("GET", `/api/sessions/${enc}/notes`)).status).toBe(401);
  });
});

describe("deleting a sender", () => {
  it("removes history, notes and their search index, the session and its messages; runs stay", async () => {
    const runsBefore = await env.DB.prepare("SELECT count(*) AS n FROM runs WHERE session_id = ?").bind(SESSION).first<{ n: number }>();
    expect(runsBefore!.n).toBeGreaterThan(0);
    expect((await call("DELETE", `/api/sessions/${enc}`, undefined, token)).status).toBe(200);

    expect(await stub().history()).toEqual([]);
    expect(await nextTurnNotes()).toEqual([]);
    expect(await search("Lisbon")).toEqual([]);
    const indexed = await runInDurableObject(stub(), (_i, state) => state.storage.sql.exec("SELECT count(*) AS n FROM agent_notes_fts").toArray()[0]!.n);
    expect(indexed).toBe(0);
    const sessions = await call<{ sessions: { id: string }[] }>("GET", "/api/sessions", undefined, token);
    expect(sessions.body.sessions.map((s) => s.id)).not.toContain(SESSION);
    const messages = await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE channel_id = 'web' AND sender_id = 'admin:admin'").first<{ n: number }>();
    expect(messages!.n).toBe(0);
    const runsAfter = await env.DB.prepare("SELECT count(*) AS n FROM runs WHERE session_id = ?").bind(SESSION).first<{ n: number }>();
    expect(runsAfter!.n).toBe(runsBefore!.n);
    expect((await call("DELETE", `/api/sessions/${enc}`, undefined, token)).status).toBe(404);
  });
});
