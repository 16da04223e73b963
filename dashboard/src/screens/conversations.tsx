/**
 * Conversations: every sender's session, its message history with the agent's replies, each
 * run's details, the notes the agent keeps on the sender (editable), and deleting a sender.
 */
import { useMemo, useState } from "preact/hooks";
import { api, body } from "../api/client";
import type { MessageRow, RunRow, SessionRow } from "../api/types";
import type { ScreenDef } from "../shell/screens";
import { SenderNotes } from "../conversations/sender-notes";
import { useSubmit } from "../ui/actions";
import { Badge, ConfirmButton, Empty, ErrorBanner } from "../ui/widgets";
import { browserZone, clockTime, dateTime, timeAgo, usd } from "../ui/format";
import { useLoad } from "../ui/use-load";
import { MessageMedia } from "../conversations/message-media";

function RunDetails({ run }: { run: RunRow }) {
  return (
    <>
      {run.deliveryStatus === "failed" && (
        <strong class="undelivered" role="note" data-undelivered>
          Not delivered: {run.deliveryError ?? "the platform refused it"}
          {run.deliveryAttempts > 1 ? ` (${run.deliveryAttempts} tries)` : ""}. The person never saw this reply.
        </strong>
      )}
      <span class="meta">
        {run.model} · {run.inputTokens} in / {run.outputTokens} out · {usd(run.costUsd)} · {run.latencyMs} ms
        {run.status === "failed" && ` · failed: ${run.error ?? "unknown error"}`}
        {run.deliveryStatus === "pending" && " · delivery pending"}
      </span>
    </>
  );
}

function History({ session, channelName, onDeleted }: { session: SessionRow; channelName: string; onDeleted: () => Promise<void> }) {
  const history = useLoad(
    async () => {
      const [m, r] = await Promise.all([
        body(api.messages.$get({ query: { channelId: session.channelId, senderId: session.senderId, limit: "200" } })),
        body(api.runs.$get({ query: { channelId: session.channelId, limit: "200" } })),
      ]);
      return { messages: [...m.messages].reverse(), runs: new Map(r.runs.filter((x) => x.senderId === session.senderId).map((x) => [x.id, x])) };
    },
    [session.id],
    10_000,
  );
  const remove = useSubmit(async () => {
    await body(api.sessions[":id"].$delete({ param: { id: session.id } }));
    await onDeleted();
  });
  // Drawn like the Playground: the person on the right, the agent on the left.
  const bubbleClass = (m: MessageRow) => {
    if (m.direction === "in") return "out";
    if (m.outcome === "notice") return "notice";
    return m.runId && history.data?.runs.get(m.runId)?.deliveryStatus === "failed" ? "in failed" : "in";
  };
  const shown = history.data?.messages.length;
  return (
    <section class="card" aria-label="Messages">
      <h2>{session.senderName ?? session.senderId}</h2>
      <p class="muted">
        {channelName} · {shown === undefined ? "…" : `${shown} ${shown === 1 ? "message" : "messages"}`} · since {dateTime(session.createdAt)} · times in{" "}
        {browserZone()}
      </p>
      <div class="toolbar">
        <ConfirmButton label="Delete sender" confirmLabel="Delete history, notes and messages" busy={remove.busy} onConfirm={remove.submit} />
      </div>
      <ErrorBanner error={remove.error ?? history.error} />
      <div class="messages">
        {history.data?.messages.length === 0 && <Empty>No messages recorded.</Empty>}
        {history.data?.messages.map((m) => {
          const run = m.runId ? history.data?.runs.get(m.runId) : undefined;
          return (
            <div key={m.id} class={`bubble ${bubbleClass(m)}`} data-direction={m.direction}>
              {m.text}
              <MessageMedia media={m.media} />
              <span class="meta">
                {clockTime(m.createdAt)}
                {m.direction === "in" && m.outcome !== "accepted" && ` · ${m.outcome.replace("_", " ")}`}
              </span>
              {run && m.direction === "out" && <RunDetails run={run} />}
            </div>
          );
        })}
      </div>
    </section>
  );
}

function Conversations() {
  const sessions = useLoad(async () => (await body(api.sessions.$get({ query: { limit: "200" } }))).sessions, [], 10_000);
  const channels = useLoad(async () => new Map((await body(api.channels.$get())).channels.map((c) => [c.id, c.name])));
  const channelName = (id: string) => channels.data?.get(id) ?? (id === "web" ? "Web chat" : id);
  // The feed links here with ?channel=&sender= to open that person's chat.
  const [wanted] = useState(() => {
    const q = new URLSearchParams(location.search);
    const channel = q.get("channel");
    const sender = q.get("sender");
    return channel && sender ? { channel, sender } : null;
  });
  const [pickedId, setSelectedId] = useState<string | null>(null);
  const selectedId = pickedId ?? (wanted ? (sessions.data?.find((s) => s.channelId === wanted.channel && s.senderId === wanted.sender)?.id ?? null) : null);
  const [filter, setFilter] = useState("");
  const shown = useMemo(() => {
    const q = filter.trim().toLowerCase();
    return (sessions.data ?? []).filter((s) => !q || `${s.senderName ?? ""} ${s.senderId} ${channelName(s.channelId)}`.toLowerCase().includes(q));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sessions.data, channels.data, filter]);
  const selected = sessions.data?.find((s) => s.id === selectedId);

  return (
    <section>
      <div class="toolbar">
        <input
          type="search"
          name="filter"
          placeholder="Find a sender or channel"
          value={filter}
          style={{ maxWidth: "20rem" }}
          onInput={(e) => setFilter(e.currentTarget.value)}
        />
      </div>
      <ErrorBanner error={sessions.error} />
      <div class="split">
        {shown.length === 0 ? (
          <Empty>{sessions.loading && !sessions.data ? "Loading…" : "No conversations yet."}</Empty>
        ) : (
          <ul class="rows" aria-label="Sessions">
            {shown.map((s) => (
              <li key={s.id} class={`row${s.id === selectedId ? " selected" : ""}`}>
                <div class="main">
                  <button type="button" class="link" onClick={() => setSelectedId(s.id)}>
                    {s.senderName ?? s.senderId}
                  </button>
                  <div class="meta">
                    <span>{channelName(s.channelId)}</span>
                    <span>{timeAgo(s.lastActivityAt)}</span>
                  </div>
                </div>
                <Badge tone={s.status === "active" ? "ok" : "muted"}>{s.status}</Badge>
              </li>
            ))}
          </ul>
        )}
        {selected && (
          <div class="stack">
            <History
              key={selected.id}
              session={selected}
              channelName={channelName(selected.channelId)}
              onDeleted={async () => {
                setSelectedId(null);
                await sessions.reload();
              }}
            />
            <SenderNotes key={`notes-${selected.id}`} sessionId={selected.id} />
          </div>
        )}
      </div>
    </section>
  );
}

export const screen: ScreenDef = { path: "/conversations", title: "Conversations", order: 30, component: Conversations };
