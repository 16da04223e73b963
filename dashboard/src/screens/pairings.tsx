/** Pairings: pending requests to approve or reject, invite codes, and the paired senders with revoke. */
import { useState } from "preact/hooks";
import { api, body } from "../api/client";
import type { Channel } from "../api/types";
import type { ScreenDef } from "../shell/screens";
import { useRowActions, useSubmit } from "../ui/actions";
import { Badge, ConfirmButton, Copyable, Empty, ErrorBanner } from "../ui/widgets";
import { dateTime, timeAgo } from "../ui/format";
import { useLoad } from "../ui/use-load";

function channelLabel(channels: Channel[] | undefined, id: string | null): string {
  if (!id) return "any channel";
  return channels?.find((c) => c.id === id)?.name ?? id;
}

/** The select's value for a code any channel accepts (invites are bound to one channel unless asked). */
const ANY_CHANNEL = "*";

function InviteForm({ channels }: { channels: Channel[] }) {
  const [picked, setChannelId] = useState<string | null>(null);
  const channelId = picked ?? channels[0]?.id ?? ANY_CHANNEL;
  const [ttl, setTtl] = useState("60");
  const [invite, setInvite] = useState<{ code: string; expiresAt: number; howToUse: string } | null>(null);
  const {
    busy,
    error,
    submit: mint,
  } = useSubmit(async () => {
    const target = channelId === ANY_CHANNEL ? { anyChannel: true } : { channelId };
    const res = await body(api.pairings.$post({ json: { ...target, ttlMinutes: Number(ttl) } }));
    setInvite({ code: res.code, expiresAt: res.expiresAt, howToUse: res.howToUse });
  });
  return (
    <form class="card" onSubmit={mint} aria-label="Invite">
      <h2>Invite a sender</h2>
      <div class="toolbar">
        <label class="inline">
          <span>Channel</span>
          <select name="inviteChannel" value={channelId} onChange={(e) => setChannelId(e.currentTarget.value)}>
            {channels.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
            <option value={ANY_CHANNEL}>Any channel (first to use it)</option>
          </select>
        </label>
        <label class="inline">
          <span>Valid for (minutes)</span>
          <input name="ttlMinutes" type="number" min={1} max={43200} value={ttl} style={{ width: "6em" }} onInput={(e) => setTtl(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={busy}>
          Mint invite code
        </button>
      </div>
      <ErrorBanner error={error} />
      {invite && (
        <p class="banner ok" role="status">
          <Copyable value={invite.code} label="invite code" /> {invite.howToUse} Expires {dateTime(invite.expiresAt)}.
        </p>
      )}
    </form>
  );
}

/** What the person wrote before they were asked to pair: the admin decides knowing who asks and why. */
function FirstWords({ channelId, senderId }: { channelId: string; senderId: string }) {
  const wrote = useLoad(
    async () => (await body(api.messages.$get({ query: { channelId, senderId, limit: "3" } }))).messages.filter((m) => m.direction === "in"),
    [channelId, senderId],
  );
  const last = wrote.data?.[0];
  if (!last) return null;
  return (
    <span class="wrote" data-wrote>
      wrote “{last.text.length > 140 ? `${last.text.slice(0, 139)}…` : last.text}”
    </span>
  );
}

function expiry(at: number, now = Date.now()): string {
  const minutes = Math.round((at - now) / 60_000);
  if (minutes <= 0) return "code expired";
  if (minutes < 120) return `code expires in ${minutes} min`;
  return `code expires ${dateTime(at)}`;
}

function Pairings() {
  const channels = useLoad(async () => (await body(api.channels.$get())).channels);
  const pending = useLoad(async () => (await body(api.pairings.$get({ query: { status: "pending" } }))).pairings.filter((p) => p.kind === "request"), [], 5000);
  const senders = useLoad(async () => (await body(api.senders.$get({ query: {} }))).senders, [], 15_000);
  const { error, act } = useRowActions(() => Promise.all([pending.reload(), senders.reload()]));

  return (
    <section>
      <ErrorBanner error={error ?? pending.error ?? senders.error} />
      <h2>Pending requests</h2>
      {(pending.data ?? []).length === 0 ? (
        <Empty>{pending.loading && !pending.data ? "Loading…" : "No one is waiting. A new sender on a pairing channel gets a code that shows up here."}</Empty>
      ) : (
        <ul class="rows" aria-label="Pending requests">
          {pending.data?.map((p) => (
            <li key={p.code} class="row" data-code={p.code}>
              <div class="main">
                <strong>{p.senderName ?? p.senderId}</strong>
                {p.channelId && p.senderId && <FirstWords channelId={p.channelId} senderId={p.senderId} />}
                <div class="meta">
                  <span>
                    code <code>{p.code}</code>
                  </span>
                  <span>{channelLabel(channels.data, p.channelId)}</span>
                  <span>sender {p.senderId}</span>
                  <span title={dateTime(p.createdAt)}>asked {timeAgo(p.createdAt)}</span>
                  <span title={dateTime(p.expiresAt)} data-expires>
                    {expiry(p.expiresAt)}
                  </span>
                </div>
              </div>
              <div class="actions">
                <button type="button" onClick={() => void act(() => body(api.pairings[":code"].approve.$post({ param: { code: p.code } })))}>
                  Approve
                </button>
                <button
                  type="button"
                  class="danger ghost"
                  onClick={() => void act(() => body(api.pairings[":code"].reject.$post({ param: { code: p.code } })))}
                >
                  Reject
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      <div style={{ height: "1.2em" }} />
      <InviteForm channels={channels.data ?? []} />
      <h2>Paired senders</h2>
      {(senders.data ?? []).length === 0 ? (
        <Empty>No paired senders yet.</Empty>
      ) : (
        <ul class="rows" aria-label="Paired senders">
          {senders.data?.map((s) => (
            <li key={s.id} class="row" data-sender={s.senderId}>
              <div class="main">
                <strong>{s.name ?? s.senderId}</strong>
                <div class="meta">
                  <span>{channelLabel(channels.data, s.channelId)}</span>
                  <span>sender {s.senderId}</span>
                  <span>paired {timeAgo(s.pairedAt)}</span>
                </div>
              </div>
              <Badge tone={s.status === "paired" ? "ok" : "muted"}>{s.status}</Badge>
              {s.status === "paired" && (
                <ConfirmButton
                  label="Revoke"
                  confirmLabel="Revoke access"
                  onConfirm={() => act(() => body(api.senders[":id"].$delete({ param: { id: s.id } })))}
                />
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export const screen: ScreenDef = { path: "/pairings", title: "Pairings", order: 20, component: Pairings };
