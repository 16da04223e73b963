/** Channels: every platform connection with its status, last message and error; add, inspect, edit, delete. */
import { useState } from "preact/hooks";
import { api, body } from "../api/client";
import { ChannelDetail } from "../channels/channel-detail";
import { NewChannel } from "../channels/new-channel";
import type { ScreenDef } from "../shell/screens";
import { Badge, Empty, ErrorBanner } from "../ui/bits";
import { timeAgo } from "../ui/format";
import { useLoad } from "../ui/use-load";

function Channels() {
  const list = useLoad(async () => (await body(api.channels.$get())).channels, [], 15_000);
  const types = useLoad(async () => (await body(api.channels.types.$get())).types);
  const [adding, setAdding] = useState(false);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const channels = list.data ?? [];
  const selected = channels.find((c) => c.id === selectedId);

  return (
    <section>
      <div class="toolbar">
        <button type="button" onClick={() => setAdding(true)} disabled={adding || !types.data?.length}>
          Add channel
        </button>
        <span class="muted">{channels.length === 1 ? "1 channel" : `${channels.length} channels`}</span>
      </div>
      <ErrorBanner error={list.error ?? types.error} />
      {adding && types.data && (
        <NewChannel
          types={types.data}
          onCreated={() => void list.reload()}
          onClose={() => setAdding(false)}
        />
      )}
      <div class="split">
        {channels.length === 0 ? (
          <Empty>{list.loading ? "Loading…" : "No channels yet. Add one to let a platform reach the agent."}</Empty>
        ) : (
          <ul class="rows" aria-label="Channels">
            {channels.map((c) => (
              <li key={c.id} class={`row${c.id === selectedId ? " selected" : ""}`} data-channel-id={c.id}>
                <div class="main">
                  <button type="button" class="link" onClick={() => setSelectedId(c.id)}>
                    {c.name}
                  </button>
                  <div class="meta">
                    <span>{c.type}</span>
                    <span>{c.policy}</span>
                    <span>last message {timeAgo(c.lastMessageAt)}</span>
                  </div>
                  {c.lastError && <small class="error-text">{c.lastError}</small>}
                </div>
                <Badge tone={c.status === "ok" ? "ok" : "bad"}>{c.status}</Badge>
              </li>
            ))}
          </ul>
        )}
        {selected && (
          <ChannelDetail
            key={selected.id}
            channel={selected}
            type={types.data?.find((t) => t.type === selected.type)}
            onChanged={() => void list.reload()}
            onDeleted={() => {
              setSelectedId(null);
              void list.reload();
            }}
          />
        )}
      </div>
    </section>
  );
}

export const screen: ScreenDef = { path: "/channels", title: "Channels", order: 10, component: Channels };
