/** The signed-in frame: brand, navigation (a sidebar, or a scrolling tab bar on a phone), the user menu and the page. */
import { api } from "../api/client";
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
      <nav class="nav" aria-label="Main">
        {screens.map((s) => (
          <a
            key={s.path}
            href={s.path}
            aria-current={s === screen ? "page" : undefined}
            onClick={(e) => {
              e.preventDefault();
              navigate(s.path);
            }}
          >
            {s.title}
          </a>
        ))}
      </nav>
      <main class="page">
        {screen && <h1 class="page-title">{screen.title}</h1>}
        {Page ? <Page key={screen.path} /> : <p>No such page.</p>}
      </main>
    </div>
  );
}
