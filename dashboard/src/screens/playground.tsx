/**
 * Playground: talk to the agent through the web chat channel, the same pipeline every platform
 * uses. The chat on screen is the conversation as the agent remembers it (reloaded after a page
 * reload); "New chat" makes the agent forget it. Drawn like Conversations: the person on the
 * right, the agent on the left. The agent's answer grows while the model writes it (previews
 * from the live feed, docs/streaming.md) and is replaced by the finished reply when it arrives.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, body } from "../api/client";
import { useReplyProgress } from "../feed/use-reply-progress";
import type { ScreenDef } from "../shell/screens";
import { errorMessage } from "../ui/actions";
import { ConfirmButton, ErrorBanner } from "../ui/widgets";

interface Line {
  id: string;
  from: "you" | "agent" | "notice";
  text: string;
}

/** The playground's channel (src/api/chat.ts). */
const WEB_CHANNEL_ID = "web";

/** How long one request waits for the reply before asking again. */
const WAIT_SECONDS = 30;

async function askAgent(text: string, clientMessageId: string): Promise<{ reply: string; kind: string }> {
  let res: { status: "pending"; messageId: string } | { status: "done"; reply: string; kind: string } = await body(
    api.chat.$post({ json: { text, clientMessageId }, query: { wait: String(WAIT_SECONDS) } }),
  );
  // A slow model answers after the wait: keep asking for the same message's reply.
  for (let i = 0; res.status === "pending" && i < 10; i++)
    res = await body(api.chat[":messageId"].$get({ param: { messageId: res.messageId }, query: { wait: String(WAIT_SECONDS) } }));
  if (res.status !== "done") throw new Error("the agent did not answer in time; its reply will still appear under Conversations");
  return { reply: res.reply, kind: res.kind };
}

function Playground() {
  const [lines, setLines] = useState<Line[]>([]);
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  /** The message waiting for its answer: its preview is the live feed's progress for it. */
  const [pending, setPending] = useState<string | null>(null);
  const progress = useReplyProgress();
  const preview = pending ? progress.find((p) => p.channelId === WEB_CHANNEL_ID && p.inReplyTo === pending)?.text : undefined;
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const [loaded, setLoaded] = useState(false);

  useEffect(() => {
    void (async () => {
      try {
        const { turns } = await body(api.chat.history.$get());
        setLines((cur) => [...turns.map((t, i) => ({ id: `h${i}`, from: t.role === "user" ? ("you" as const) : ("agent" as const), text: t.text })), ...cur]);
      } catch (err) {
        setError(errorMessage(err));
      } finally {
        setLoaded(true);
      }
    })();
  }, []);

  // Notices (a rate limit, a failure) are not part of what the agent remembers.
  const remembered = lines.filter((l) => l.from !== "notice").length;

  const newChat = async () => {
    setError(null);
    try {
      await body(api.chat.history.$delete());
      setLines([]);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const send = async (e: Event) => {
    e.preventDefault();
    const message = text.trim();
    if (!message || busy) return;
    const id = crypto.randomUUID();
    setLines((cur) => [...cur, { id, from: "you", text: message }]);
    setText("");
    setBusy(true);
    setPending(id);
    setError(null);
    try {
      const { reply, kind } = await askAgent(message, id);
      setLines((cur) => [...cur, { id: `${id}:out`, from: kind === "notice" ? "notice" : "agent", text: reply }]);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
      setPending(null);
      input.current?.focus();
    }
  };

  return (
    <section class="card">
      <div class="toolbar">
        <span class="muted" data-remembered={remembered}>
          {remembered ? `${remembered} ${remembered === 1 ? "message" : "messages"} the agent remembers` : "A new chat"}
        </span>
        {lines.length > 0 && <ConfirmButton label="New chat" confirmLabel="Forget this chat" onConfirm={newChat} busy={busy} />}
      </div>
      <div class="messages" aria-live="polite" aria-label="Chat">
        {loaded && lines.length === 0 && <p class="muted">Say something to the agent. Messages go through the whole pipeline, rate limits and all.</p>}
        {lines.map((l) => (
          <div key={l.id} class={`bubble ${l.from === "you" ? "out" : l.from === "notice" ? "notice" : "in"}`} data-from={l.from}>
            {l.text}
          </div>
        ))}
        {busy &&
          (preview ? (
            <div class="bubble in" data-from="agent" data-streaming="true">
              {preview}
              <span class="muted"> …</span>
            </div>
          ) : (
            <div class="bubble in muted">…</div>
          ))}
      </div>
      <ErrorBanner error={error} />
      <form class="composer" onSubmit={send}>
        <textarea
          ref={input}
          name="message"
          rows={2}
          value={text}
          placeholder="Message the agent"
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey) void send(e);
          }}
        />
        <button type="submit" disabled={busy || !text.trim()}>
          Send
        </button>
      </form>
    </section>
  );
}

export const screen: ScreenDef = { path: "/playground", title: "Playground", order: 40, component: Playground };
