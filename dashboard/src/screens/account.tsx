/**
 * Account: change the admin password (every other session ends), see where the admin is logged
 * in, log one session out or all of them. API tokens for scripts are managed with the CLI
 * (`loopgate tokens`); "log out everywhere" can revoke them too.
 */
import { useState } from "preact/hooks";
import { api, body } from "../api/client";
import type { ScreenDef } from "../shell/screens";
import { useRowActions, useSubmit } from "../ui/actions";
import { Badge, ConfirmButton, Empty, ErrorBanner } from "../ui/widgets";
import { dateTime, timeAgo } from "../ui/format";
import { useLoad } from "../ui/use-load";

function PasswordForm({ onChanged }: { onChanged: () => Promise<unknown> }) {
  const [currentPassword, setCurrent] = useState("");
  const [newPassword, setNew] = useState("");
  const [repeat, setRepeat] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, submit } = useSubmit(async () => {
    setDone(null);
    if (newPassword !== repeat) throw new Error("the new passwords differ");
    const res = await body(api.auth.password.$post({ json: { currentPassword, newPassword } }));
    setCurrent("");
    setNew("");
    setRepeat("");
    setDone(`Password changed; ${res.revokedSessions} other session(s) logged out.`);
    await onChanged();
  });
  return (
    <form class="card" onSubmit={submit} aria-label="Change password">
      <h2>Change password</h2>
      <label>
        <span>Current password</span>
        <input
          name="currentPassword"
          type="password"
          autocomplete="current-password"
          required
          value={currentPassword}
          onInput={(e) => setCurrent(e.currentTarget.value)}
        />
      </label>
      <label>
        <span>New password (at least 10 characters)</span>
        <input
          name="newPassword"
          type="password"
          autocomplete="new-password"
          minLength={10}
          required
          value={newPassword}
          onInput={(e) => setNew(e.currentTarget.value)}
        />
      </label>
      <label>
        <span>New password again</span>
        <input
          name="repeatPassword"
          type="password"
          autocomplete="new-password"
          minLength={10}
          required
          value={repeat}
          onInput={(e) => setRepeat(e.currentTarget.value)}
        />
      </label>
      <button type="submit" disabled={busy}>
        Change password
      </button>
      <ErrorBanner error={error} />
      {done && (
        <p class="banner ok" role="status">
          {done}
        </p>
      )}
    </form>
  );
}

function Account() {
  const sessions = useLoad(async () => (await body(api.auth.sessions.$get())).sessions, [], 30_000);
  const { error, act } = useRowActions(() => sessions.reload());
  const [includeApiTokens, setIncludeApiTokens] = useState(false);

  return (
    <section>
      <PasswordForm onChanged={() => sessions.reload()} />
      <h2>Sessions</h2>
      <ErrorBanner error={error ?? sessions.error} />
      {(sessions.data ?? []).length === 0 ? (
        <Empty>{sessions.loading ? "Loading…" : "No sessions."}</Empty>
      ) : (
        <ul class="rows" aria-label="Sessions">
          {sessions.data?.map((s) => (
            <li key={s.id} class="row" data-session={s.id}>
              <div class="main">
                <strong>{s.current ? "This browser" : `Session ${s.id}`}</strong>
                <div class="meta">
                  <span>logged in {dateTime(s.createdAt)}</span>
                  <span>last used {timeAgo(s.lastUsedAt)}</span>
                  <span>expires {s.expiresAt ? dateTime(s.expiresAt) : "never"}</span>
                </div>
              </div>
              {s.current ? (
                <Badge tone="ok">current</Badge>
              ) : (
                <ConfirmButton
                  label="Log out"
                  confirmLabel="Log this session out"
                  onConfirm={() => act(() => body(api.auth.sessions[":id"].$delete({ param: { id: s.id } })))}
                />
              )}
            </li>
          ))}
        </ul>
      )}
      <div class="toolbar">
        <label class="inline">
          <input type="checkbox" checked={includeApiTokens} onChange={(e) => setIncludeApiTokens(e.currentTarget.checked)} />
          <span>also revoke API tokens (scripts, the CLI)</span>
        </label>
        <ConfirmButton
          label="Log out everywhere else"
          confirmLabel="Log out every other session"
          onConfirm={() => act(() => body(api.auth["logout-everywhere"].$post({ json: { includeApiTokens } })))}
        />
      </div>
    </section>
  );
}

export const screen: ScreenDef = { path: "/account", title: "Account", order: 95, component: Account };
