/**
 * The admin's session token: kept in localStorage so a reload stays logged in, dropped on
 * logout or on the first 401 (expired or revoked), which sends the app back to the login form.
 */
const STORAGE_KEY = "loopgate.session";

export interface Session {
  /** Bearer token from setup or login. */
  token: string;
  username: string;
  /** Unix ms; null for tokens that never expire. */
  expiresAt: number | null;
}

/** Why the app is showing the login form. */
export type SignedOutReason = "logged-out" | "expired" | null;

type Listener = (session: Session | null, reason: SignedOutReason) => void;
const listeners = new Set<Listener>();

function read(): Session | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Session;
    return typeof parsed.token === "string" && typeof parsed.username === "string" ? parsed : null;
  } catch {
    return null;
  }
}

let current: Session | null = read();

export function currentSession(): Session | null {
  return current;
}

export function signIn(session: Session): void {
  current = session;
  localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  for (const l of listeners) l(current, null);
}

export function signOut(reason: Exclude<SignedOutReason, null>): void {
  if (!current) return;
  current = null;
  localStorage.removeItem(STORAGE_KEY);
  for (const l of listeners) l(null, reason);
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
