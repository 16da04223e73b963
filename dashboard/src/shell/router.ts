/** Path routing on the History API; the Worker's single-page-application fallback serves index.html for any path. */
import { useEffect, useState } from "preact/hooks";

const listeners = new Set<() => void>();

export function navigate(path: string): void {
  if (path === location.pathname + location.search) return;
  history.pushState(null, "", path);
  for (const l of listeners) l();
}

window.addEventListener("popstate", () => {
  for (const l of listeners) l();
});

/** The current path, re-rendering on navigation. */
export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    listeners.add(update);
    return () => void listeners.delete(update);
  }, []);
  return path;
}

/** The thing a link asked a screen to open (`?open=<id>`, e.g. from an admin action in the feed). */
export function openParam(): string | null {
  return new URLSearchParams(location.search).get("open");
}
