/** Approvals: the agent's "ask first" tool calls waiting for a decision, with Approve and Deny (docs/agent.md, "Tool approvals"). */
import { api, body } from "../api/client";
import type { ScreenDef } from "../shell/screens";
import { useRowActions } from "../ui/actions";
import { dateTime, timeAgo } from "../ui/format";
import { useLoad } from "../ui/use-load";
import { Empty, ErrorBanner } from "../ui/widgets";

function Approvals() {
  const approvals = useLoad(async () => (await body(api.approvals.$get())).approvals, [], 5000);
  const channels = useLoad(async () => (await body(api.channels.$get())).channels, [], 30_000);
  const { error, act } = useRowActions(approvals.reload);
  const channelName = (id: string | null) => channels.data?.find((c) => c.id === id)?.name ?? id ?? "?";
  const decide = (id: string, decision: "approve" | "deny") => act(() => body(api.approvals[":id"].$post({ param: { id }, json: { decision } })));

  return (
    <section>
      <p class="muted">Tool calls the agent may only make once someone approves them. Undecided calls count as denied at their deadline.</p>
      <ErrorBanner error={error ?? approvals.error} />
      {(approvals.data ?? []).length === 0 ? (
        <Empty>{approvals.loading && !approvals.data ? "Loading…" : "Nothing is waiting for a decision."}</Empty>
      ) : (
        <ul class="rows" aria-label="Approvals">
          {approvals.data?.map((a) => (
            <li key={a.id} class="row" data-approval={a.id}>
              <div class="main">
                {a.tools.map((t) => (
                  <div key={t.name}>
                    <strong>{t.name}</strong> <code>{JSON.stringify(t.input)}</code>
                  </div>
                ))}
                <div class="meta">
                  <span>
                    {channelName(a.channelId)} · sender <code>{a.senderId}</code>
                  </span>
                  <span title={dateTime(a.at)}>asked {timeAgo(a.at)}</span>
                  <span title={dateTime(a.deadline)}>denied at {dateTime(a.deadline)} without a decision</span>
                </div>
                {a.unreachable ? <div class="meta">Not asked in chat: {a.unreachable}</div> : null}
              </div>
              <div class="actions">
                <button type="button" onClick={() => void decide(a.id, "approve")}>
                  Approve
                </button>
                <button type="button" class="ghost" onClick={() => void decide(a.id, "deny")}>
                  Deny
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export const screen: ScreenDef = { path: "/approvals", title: "Approvals", order: 25, component: Approvals };
