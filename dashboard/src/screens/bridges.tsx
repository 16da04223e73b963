/** Bridges: the Node companions that hold sockets for platforms without webhooks; their state, their channels, minting and revoking tokens. */
import { useState } from "preact/hooks";
import { api, body } from "../api/client";
import type { Bridge, Channel } from "../api/types";
import { NewBridge } from "../bridges/new-bridge";
import { bridgeOf, channelState } from "../channels/channel-state";
import type { ScreenDef } from "../shell/screens";
import { useRowActions } from "../ui/actions";
import { Badge, ConfirmButton, Empty, ErrorBanner } from "../ui/widgets";
import { dateTime, timeAgo } from "../ui/format";
import { useLoad } from "../ui/use-load";

function bridgeState(b: Bridge): { tone: "ok" | "warn" | "bad" | "muted"; label: string } {
  if (b.connected) return { tone: "ok", label: "up" };
  if (b.status === "never") return { tone: "muted", label: "never connected" };
  if (b.status === "up") return { tone: "warn", label: "reconnecting" };
  return { tone: "bad", label: "down" };
}

function ServedChannels({ channels }: { channels: Channel[] }) {
  if (channels.length === 0) return <small>No channels yet: create one on the Channels screen with this bridge's id in its config.</small>;
  return (
    <ul class="chips" aria-label="Channels">
      {channels.map((c) => {
        const s = channelState(c.status);
        return (
          <li key={c.id} data-channel-id={c.id}>
            {c.name} <Badge tone={s.tone}>{s.label}</Badge>
          </li>
        );
      })}
    </ul>
  );
}

function Bridges() {
  const bridges = useLoad(async () => (await body(api.bridges.$get())).bridges, [], 5000);
  const channels = useLoad(async () => (await body(api.channels.$get())).channels, [], 15_000);
  const [adding, setAdding] = useState(false);

  const { error, act } = useRowActions(bridges.reload);

  return (
    <section>
      <div class="toolbar">
        <button type="button" disabled={adding} onClick={() => setAdding(true)}>
          New bridge
        </button>
        <span class="muted">For IRC, Signal, Slack Socket Mode and other platforms that need a long-lived connection.</span>
      </div>
      <ErrorBanner error={error ?? bridges.error} />
      {adding && <NewBridge onCreated={() => void bridges.reload()} onClose={() => setAdding(false)} />}
      {(bridges.data ?? []).length === 0 ? (
        <Empty>{bridges.loading && !bridges.data ? "Loading…" : "No bridges yet. Mint a token to run one."}</Empty>
      ) : (
        <ul class="rows" aria-label="Bridges">
          {bridges.data?.map((b) => {
            const state = bridgeState(b);
            const param = { id: b.id };
            return (
              <li key={b.id} class="row" data-bridge={b.name} data-state={state.label}>
                <div class="main">
                  <strong>{b.name}</strong>
                  <div class="meta">
                    <span>
                      <code>{b.id}</code>
                    </span>
                    <span title={dateTime(b.lastSeenAt)}>seen {timeAgo(b.lastSeenAt)}</span>
                    {b.lastConnectedAt && <span title={dateTime(b.lastConnectedAt)}>connected {timeAgo(b.lastConnectedAt)}</span>}
                    {b.queuedReplies > 0 && <span>{b.queuedReplies} replies waiting for it</span>}
                  </div>
                  {b.lastError && !b.connected && <small class="error-text">{b.lastError}</small>}
                  <ServedChannels channels={(channels.data ?? []).filter((c) => bridgeOf(c) === b.id)} />
                </div>
                <Badge tone={state.tone}>{state.label}</Badge>
                <div class="actions">
                  {b.connected && (
                    <button
                      type="button"
                      class="ghost"
                      title="Drops the connection; the bridge dials back in"
                      onClick={() => void act(() => body(api.bridges[":id"].disconnect.$post({ param })))}
                    >
                      Reconnect
                    </button>
                  )}
                  <ConfirmButton label="Revoke" confirmLabel="Revoke token" onConfirm={() => act(() => body(api.bridges[":id"].$delete({ param })))} />
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

export const screen: ScreenDef = { path: "/bridges", title: "Bridges", order: 15, component: Bridges };
