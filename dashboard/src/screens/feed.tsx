/** Live activity: every pipeline event as it happens, filterable by channel and kind. */
import { useMemo, useState } from "preact/hooks";
import { api, body } from "../api/client";
import { EventRow } from "../feed/event-row";
import { useLiveFeed } from "../feed/use-live-feed";
import type { ScreenDef } from "../shell/screens";
import { Empty } from "../ui/widgets";
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

function Feed() {
  const feed = useLiveFeed();
  const channels = useLoad(async () => (await body(api.channels.$get())).channels);
  const [channel, setChannel] = useState("");
  const [kind, setKind] = useState("");

  const names = useMemo(() => new Map((channels.data ?? []).map((c) => [c.id, c.name])), [channels.data]);
  const channelName = (id: string) => names.get(id) ?? (id === "web" ? "Web chat" : id);
  const kinds = useMemo(() => [...new Set(feed.events.map((e) => e.kind))].sort(), [feed.events]);
  const channelIds = useMemo(() => [...new Set([...names.keys(), ...feed.events.flatMap((e) => (e.channelId ? [e.channelId] : []))])], [names, feed.events]);
  const shown = feed.events.filter((e) => (!channel || e.channelId === channel) && (!kind || e.kind === kind));

  return (
    <section>
      <div class="toolbar">
        <ConnectionPill {...feed} />
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
                {k}
              </option>
            ))}
          </select>
        </label>
      </div>
      {shown.length === 0 ? (
        <Empty>{feed.events.length ? "No events match the filters." : "Nothing has happened yet. Events appear here the moment a message arrives."}</Empty>
      ) : (
        <ul class="events" aria-label="Activity">
          {shown.map((e) => (
            <EventRow key={e.id} event={e} channelName={channelName} />
          ))}
        </ul>
      )}
    </section>
  );
}

export const screen: ScreenDef = { path: "/", title: "Activity", order: 0, component: Feed };
