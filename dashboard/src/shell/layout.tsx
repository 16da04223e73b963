/** The signed-in frame: brand, navigation (a sidebar, or a scrolling tab bar on a phone), the user menu and the page. */
import { useEffect, useRef } from "preact/hooks";
import { api, body } from "../api/client";
import { useLoad } from "../ui/use-load";
import type { Session } from "../auth/session";
import { signOut } from "../auth/session";
import { navigate, usePath } from "./router";
import { screenFor, screens } from "./screens";

async function logout() {
  // The token is revoked server side; the local session goes regardless.
  await api.auth.logout.$post().catch(() => undefined);
  signOut("logged-out");
}

export function Layout({ session }: { session: Session }) {
  const path = usePath();
  const screen = screenFor(path) ?? screens[0];
  const Page = screen?.component;
  const nav = useRef<HTMLElement>(null);
  // People waiting for approval are easy to miss on another screen: their count rides on the Pairings tab.
  const waiting = useLoad(
    async () =>
      (await body(api.pairings.$get({ query: { status: "pending" } }))).pairings.filter((p) => p.kind === "request" && p.expiresAt > Date.now()).length,
    [],
    15_000,
  );
  // On a phone the tabs scroll sideways: the current one is brought into view, not left off-screen.
  useEffect(() => {
    const current = nav.current?.querySelector<HTMLElement>('[aria-current="page"]');
    if (!current || !nav.current || nav.current.scrollWidth <= nav.current.clientWidth) return;
    current.scrollIntoView({ block: "nearest", inline: "center" });
  }, [screen]);
  return (
    <div class="shell">
      <header class="topbar">
        <a
          class="brand"
          href="/"
          onClick={(e) => {
            e.preventDefault();
            navigate("/");
          }}
        >
          <span class="logo" aria-hidden="true" />
          Loopgate
        </a>
        <span class="user">
          <span class="muted">{session.username}</span>
          <button type="button" class="ghost small" onClick={() => void logout()}>
            Log out
          </button>
        </span>
      </header>
      <nav class="nav" aria-label="Main" ref={nav}>
        {screens.map((s) => {
          const count = s.path === "/pairings" ? (waiting.data ?? 0) : 0;
          return (
            <a
              key={s.path}
              href={s.path}
              aria-current={s === screen ? "page" : undefined}
              title={count ? `${count} waiting for approval` : undefined}
              data-pending={count || undefined}
              onClick={(e) => {
                e.preventDefault();
                navigate(s.path);
              }}
            >
              {s.title}
              {count > 0 && (
                <span class="nav-count" aria-hidden="true">
                  {count}
                </span>
              )}
            </a>
          );
        })}
      </nav>
      <main class="page">
        {screen && <h1 class="page-title">{screen.title}</h1>}
        {Page ? <Page key={screen.path} /> : <p>No such page.</p>}
      </main>
    </div>
  );
}
