/**
 * Live activity: every pipeline event as it happens, in words (who, on which channel by name,
 * what happened), filterable by channel and kind, each linked to its conversation. Replies that
 * stream show above the rows while they are being written (feed/reply-progress.ts).
 */
import { useMemo, useState } from "preact/hooks";
import { api, body } from "../api/client";
import { EventRow } from "../feed/event-row";
import { type Names, sentence } from "../feed/event-sentence";
import { useLiveFeed } from "../feed/use-live-feed";
import { navigate } from "../shell/router";
import type { ScreenDef } from "../shell/screens";
import { Empty } from "../ui/widgets";
import { browserZone } from "../ui/format";
import { useLoad } from "../ui/use-load";

function ConnectionPill({ state, retryNow }: ReturnType<typeof useLiveFeed>) {
  if (state.kind === "live")
    return (
      <span class="pill ok" data-state="live">
        ● Live
      </span>
    );
  if (state.kind === "connecting")
    return (
      <span class="pill warn" data-state="connecting">
        Connecting…
      </span>
    );
  const seconds = Math.max(0, Math.round((state.retryAt - Date.now()) / 1000));
  return (
    <span class="pill bad" data-state="waiting">
      Disconnected · retrying in {seconds}s{" "}
      <button type="button" class="ghost small" onClick={retryNow}>
        Retry now
      </button>
    </span>
  );
}

/** An empty feed says what will appear here and how to get there. */
function FirstRun({ noChannels }: { noChannels: boolean }) {
  const go = (path: string) => (e: Event) => {
    e.preventDefault();
    navigate(path);
  };
  return (
    <div class="empty first-run">
      <p>Nothing has happened yet. Every message, reply, refused webhook and admin change appears here the moment it happens.</p>
      {noChannels ? (
        <p>
          No channel is connected yet:{" "}
          <a href="/channels" onClick={go("/channels")}>
            add a channel
          </a>{" "}
          (Telegram, Slack, e-mail…), or try the agent in the{" "}
          <a href="/playground" onClick={go("/playground")}>
            Playground
          </a>
          .
        </p>
      ) : (
        <p>
          Send a message to one of your channels, or try the agent in the{" "}
          <a href="/playground" onClick={go("/playground")}>
            Playground
          </a>
          .
        </p>
      )}
    </div>
  );
}

function Feed() {
  const feed = useLiveFeed();
  const channels = useLoad(async () => (await body(api.channels.$get())).channels);
  // Conversations know senders' display names; refreshed now and then as new people write.
  const sessions = useLoad(async () => (await body(api.sessions.$get({ query: { limit: "500" } }))).sessions, [], 15_000);
  const [channel, setChannel] = useState("");
  const [kind, setKind] = useState("");

  const channelNames = useMemo(() => new Map((channels.data ?? []).map((c) => [c.id, c.name])), [channels.data]);
  const channelName = (id: string) => channelNames.get(id) ?? (id === "web" ? "Web chat" : id);
  const senders = useMemo(() => new Map((sessions.data ?? []).map((s) => [`${s.channelId}\n${s.senderId}`, s.senderName ?? s.senderId])), [sessions.data]);
  const names: Names = { channel: channelName, sender: (c, s) => senders.get(`${c}\n${s}`) ?? s };
  const hasConversation = (c: string, s: string) => senders.has(`${c}\n${s}`);
  const kinds = useMemo(() => [...new Set(feed.events.map((e) => e.kind))].sort(), [feed.events]);
  const channelIds = useMemo(
    () => [...new Set([...channelNames.keys(), ...feed.events.flatMap((e) => (e.channelId ? [e.channelId] : []))])],
    [channelNames, feed.events],
  );
  const writing = feed.progress.filter((p) => !channel || p.channelId === channel);
  const shown = feed.events.filter((e) => (!channel || e.channelId === channel) && (!kind || e.kind === kind));

  return (
    <section>
      <div class="toolbar">
        <ConnectionPill {...feed} />
        <span class="muted small" data-zone>
          times in {browserZone()}
        </span>
        <label class="inline">
          <span>Channel</span>
          <select name="channel" value={channel} onChange={(e) => setChannel(e.currentTarget.value)}>
            <option value="">All channels</option>
            {channelIds.map((id) => (
              <option key={id} value={id}>
                {channelName(id)}
              </option>
            ))}
          </select>
        </label>
        <label class="inline">
          <span>Kind</span>
          <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            <option value="">All kinds</option>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {sentence({ kind: k, channelId: null, senderId: null, detail: {} }, names).label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {writing.length > 0 && (
        <ul class="events writing" aria-label="Replies being written">
          {writing.map((p) => (
            <EventRow
              key={p.turnId}
              event={{
                id: `progress-${p.turnId}`,
                at: p.seenAt,
                kind: "reply.progress",
                channelId: p.channelId,
                senderId: p.senderId,
                detail: { turnId: p.turnId, text: p.text },
              }}
              names={names}
              hasConversation={hasConversation}
            />
          ))}
        </ul>
      )}
      {shown.length === 0 ? (
        writing.length > 0 ? null : feed.events.length ? (
          <Empty>No events match the filters.</Empty>
        ) : (
          <FirstRun noChannels={channels.data !== undefined && channels.data.length === 0} />
        )
      ) : (
        <ul class="events" aria-label="Activity">
          {shown.map((e) => (
            <EventRow key={e.id} event={e} names={names} hasConversation={hasConversation} />
          ))}
        </ul>
      )}
    </section>
  );
}

export const screen: ScreenDef = { path: "/", title: "Activity", order: 0, component: Feed };
