/** Conversations: every sender's session, its message history with the agent's replies, and each run's details. */
import { useMemo, useState } from "preact/hooks";
import { api, body } from "../api/client";
import type { MessageRow, RunRow, SessionRow } from "../api/types";
import type { ScreenDef } from "../shell/screens";
import { Badge, Empty, ErrorBanner } from "../ui/widgets";
import { browserZone, clockTime, dateTime, timeAgo, usd } from "../ui/format";
import { useLoad } from "../ui/use-load";

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

function History({ session, channelName }: { session: SessionRow; channelName: string }) {
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
      <ErrorBanner error={history.error} />
      <div class="messages">
        {history.data?.messages.length === 0 && <Empty>No messages recorded.</Empty>}
        {history.data?.messages.map((m) => {
          const run = m.runId ? history.data?.runs.get(m.runId) : undefined;
          return (
            <div key={m.id} class={`bubble ${bubbleClass(m)}`} data-direction={m.direction}>
              {m.text}
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
        {selected && <History key={selected.id} session={selected} channelName={channelName(selected.channelId)} />}
      </div>
    </section>
  );
}

export const screen: ScreenDef = { path: "/conversations", title: "Conversations", order: 30, component: Conversations };
