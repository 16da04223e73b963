/** Decides what the visitor sees: setup (no admin yet), login (no session) or the dashboard. */
import { useEffect, useState } from "preact/hooks";
import { api, body } from "./api/client";
import { LoginForm, SetupForm } from "./auth/auth-forms";
import { type Session, type SignedOutReason, currentSession, onSessionChange } from "./auth/session";
import { Layout } from "./shell/layout";
import { ErrorBanner } from "./ui/widgets";

/** `npm start` prints `/#setup=TOKEN`; read it once and drop it from the address bar. */
function takeSetupToken(): string {
  const match = /^#setup=(.+)$/.exec(location.hash);
  if (!match?.[1]) return "";
  history.replaceState(null, "", location.pathname + location.search);
  return decodeURIComponent(match[1]);
}
const setupTokenFromLink = takeSetupToken();

export function App() {
  const [session, setSession] = useState<Session | null>(currentSession());
  const [reason, setReason] = useState<SignedOutReason>(null);
  const [setupRequired, setSetupRequired] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(
    () =>
      onSessionChange((s, why) => {
        setSession(s);
        setReason(why);
        if (s) setSetupRequired(false);
      }),
    [],
  );

  useEffect(() => {
    body(api.auth.status.$get())
      .then((s) => setSetupRequired(s.setupRequired))
      .catch((err: Error) => setError(err.message));
  }, []);

  if (error)
    return (
      <div class="center">
        <ErrorBanner error={error} />
      </div>
    );
  if (setupRequired === null) return <div class="center muted">Loading…</div>;
  if (session && !setupRequired) return <Layout session={session} />;
  return <div class="center">{setupRequired ? <SetupForm initialToken={setupTokenFromLink} /> : <LoginForm reason={reason} />}</div>;
}
