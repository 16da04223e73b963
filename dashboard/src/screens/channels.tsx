/** Channels: every platform connection with its status, last message and error; add, inspect, edit, delete. */
import { useEffect, useState } from "preact/hooks";
import { api, body } from "../api/client";
import { ChannelDetail } from "../channels/channel-detail";
import { bridgeOf, channelHealth, policyWords, typeName } from "../channels/channel-state";
import { NewChannel } from "../channels/new-channel";
import { openParam } from "../shell/router";
import type { ScreenDef } from "../shell/screens";
import { Badge, Empty, ErrorBanner } from "../ui/widgets";
import { timeAgo } from "../ui/format";
import { useLoad } from "../ui/use-load";

function Channels() {
  // While a bridged channel waits for a login (a WhatsApp QR code rotates every ~20 s), reload often.
  const [waitingLogin, setWaitingLogin] = useState(false);
  const list = useLoad(async () => (await body(api.channels.$get())).channels, [], waitingLogin ? 3000 : 15_000);
  useEffect(() => setWaitingLogin((list.data ?? []).some((c) => c.status === "needs_login")), [list.data]);
  // Bridge names for bridged channels; a gateway without bridges simply has none.
  const bridges = useLoad(async () => (await body(api.bridges.$get())).bridges, [], 15_000);
  const bridgeName = (id: string) => bridges.data?.find((b) => b.id === id)?.name ?? id;
  const types = useLoad(async () => (await body(api.channels.types.$get())).types);
  const [adding, setAdding] = useState(false);
  const [selectedId, setSelectedId] = useState<string | null>(openParam);
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
      {adding && types.data && <NewChannel types={types.data} onCreated={() => void list.reload()} onClose={() => setAdding(false)} />}
      <div class="split">
        {channels.length === 0 ? (
          <Empty>
            {list.loading
              ? "Loading…"
              : "No channels yet. A channel connects the agent to a platform (Telegram, Slack, e-mail, WhatsApp…): press Add channel and follow the steps. You can talk to the agent in the Playground meanwhile."}
          </Empty>
        ) : (
          <ul class="rows" aria-label="Channels">
            {channels.map((c) => {
              const state = channelHealth(c);
              const bridgeId = bridgeOf(c);
              return (
                <li key={c.id} class={`row${c.id === selectedId ? " selected" : ""}`} data-channel-id={c.id} data-status={c.status} data-tone={state.tone}>
                  <div class="main">
                    <button type="button" class="link" onClick={() => setSelectedId(c.id)}>
                      {c.name}
                    </button>
                    <div class="meta">
                      <span>{typeName(c.type, types.data?.find((t) => t.type === c.type)?.description)}</span>
                      {bridgeId && <span>via bridge {bridgeName(bridgeId)}</span>}
                      <span>{policyWords(c.policy)}</span>
                      <span>last message {timeAgo(c.lastMessageAt)}</span>
                    </div>
                    {c.lastError && <small class={state.tone === "warn" ? "warn-text" : "error-text"}>{c.lastError}</small>}
                    {!c.lastError && state.tone === "warn" && state.explain && (
                      <small class="warn-text" data-delivery-warning>
                        {state.explain}
                      </small>
                    )}
                  </div>
                  <Badge tone={state.tone}>{state.label}</Badge>
                </li>
              );
            })}
          </ul>
        )}
        {selected && (
          <ChannelDetail
            key={selected.id}
            channel={selected}
            bridgeName={bridgeOf(selected) ? bridgeName(bridgeOf(selected) ?? "") : null}
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
