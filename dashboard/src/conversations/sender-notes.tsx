/**
 * The notes the agent keeps on one sender (its remember tool; recall searches them), on the
 * Conversations screen: each can be corrected or deleted; the agent's next turn sees the change.
 */
import { useState } from "preact/hooks";
import { api, body } from "../api/client";
import { useRowActions, useSubmit } from "../ui/actions";
import { dateTime } from "../ui/format";
import { useLoad } from "../ui/use-load";
import { ConfirmButton, Empty, ErrorBanner } from "../ui/widgets";

interface Note {
  id: number;
  text: string;
  at: number;
}

function NoteEditor({ sessionId, note, onDone }: { sessionId: string; note: Note; onDone: () => Promise<void> }) {
  const [text, setText] = useState(note.text);
  const save = useSubmit(async () => {
    await body(api.sessions[":id"].notes[":noteId"].$put({ param: { id: sessionId, noteId: String(note.id) }, json: { text } }));
    await onDone();
  });
  return (
    <form class="note-edit" onSubmit={save.submit}>
      <label>
        Note
        <textarea name="note" rows={2} maxLength={500} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <ErrorBanner error={save.error} />
      <div class="actions">
        <button type="submit" disabled={save.busy}>
          {save.busy ? "Saving…" : "Save note"}
        </button>
        <button type="button" class="ghost" onClick={() => void onDone()}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function SenderNotes({ sessionId }: { sessionId: string }) {
  const notes = useLoad(async () => (await body(api.sessions[":id"].notes.$get({ param: { id: sessionId } }))).notes as Note[], [sessionId]);
  const { error, act } = useRowActions(notes.reload);
  const [editing, setEditing] = useState<number | null>(null);
  return (
    <section class="card" aria-label="Notes">
      <h2>Notes</h2>
      <p class="muted">What the agent noted about this sender. The newest are in every request; the agent searches the rest.</p>
      <ErrorBanner error={error ?? notes.error} />
      {notes.data?.length === 0 && <Empty>No notes yet.</Empty>}
      <ul class="rows" aria-label="Sender notes">
        {notes.data?.map((n) => (
          <li key={n.id} class="row" data-note-id={n.id}>
            {editing === n.id ? (
              <NoteEditor
                sessionId={sessionId}
                note={n}
                onDone={async () => {
                  setEditing(null);
                  await notes.reload();
                }}
              />
            ) : (
              <>
                <div class="main">
                  <span class="note-text">{n.text}</span>
                  <div class="meta">
                    <span>{dateTime(n.at)}</span>
                  </div>
                </div>
                <div class="actions">
                  <button type="button" class="ghost" onClick={() => setEditing(n.id)}>
                    Edit
                  </button>
                  <ConfirmButton
                    label="Delete"
                    confirmLabel="Delete note"
                    onConfirm={() => act(() => body(api.sessions[":id"].notes[":noteId"].$delete({ param: { id: sessionId, noteId: String(n.id) } })))}
                  />
                </div>
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
