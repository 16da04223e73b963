/**
 * First visit: create the first admin with the setup token (prefilled from the `#setup=TOKEN`
 * link `npm start` prints). Afterwards: log in. Both end in a stored session.
 */
import { useState } from "preact/hooks";
import { api, body } from "../api/client";
import { useSubmit } from "../ui/actions";
import { ErrorBanner } from "../ui/widgets";
import { type SignedOutReason, signIn } from "./session";

function Field({
  label,
  name,
  type = "text",
  value,
  onInput,
  autoComplete,
  hint,
}: {
  label: string;
  name: string;
  type?: "text" | "password";
  value: string;
  onInput: (v: string) => void;
  autoComplete?: string;
  hint?: string;
}) {
  return (
    <label class="field">
      <span>{label}</span>
      {type === "password" ? (
        <input name={name} type="password" value={value} autoComplete={autoComplete} required onInput={(e) => onInput(e.currentTarget.value)} />
      ) : (
        <input name={name} type="text" value={value} autoComplete={autoComplete} required onInput={(e) => onInput(e.currentTarget.value)} />
      )}
      {hint && <small>{hint}</small>}
    </label>
  );
}

export function SetupForm({ initialToken }: { initialToken: string }) {
  const [username, setUsername] = useState("admin");
  const [password, setPassword] = useState("");
  const [setupToken, setSetupToken] = useState(initialToken);
  const { busy, error, submit } = useSubmit(async () => {
    const res = await body(api.auth.setup.$post({ json: { username, password, setupToken } }));
    signIn({ token: res.token, username: res.username, expiresAt: res.expiresAt });
  });
  return (
    <form class="card auth" onSubmit={submit} aria-label="Create the first admin">
      <h1>Welcome to Loopgate</h1>
      <p class="muted">
        Create the first admin. The setup token is printed by <code>npm start</code> (or set as LOOPGATE_SETUP_TOKEN).
      </p>
      <Field label="Username" name="username" value={username} onInput={setUsername} autoComplete="username" />
      <Field
        label="Password"
        name="password"
        type="password"
        value={password}
        onInput={setPassword}
        autoComplete="new-password"
        hint="At least 10 characters."
      />
      <Field label="Setup token" name="setupToken" type="password" value={setupToken} onInput={setSetupToken} autoComplete="off" />
      <ErrorBanner error={error} />
      <button type="submit" disabled={busy}>
        {busy ? "Creating…" : "Create admin"}
      </button>
    </form>
  );
}

export function LoginForm({ reason }: { reason: SignedOutReason }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const { busy, error, submit } = useSubmit(async () => {
    const res = await body(api.auth.login.$post({ json: { username, password } }));
    signIn({ token: res.token, username: res.username, expiresAt: res.expiresAt });
  });
  return (
    <form class="card auth" onSubmit={submit} aria-label="Log in">
      <h1>Log in to Loopgate</h1>
      {reason === "expired" && <p class="banner warn">Your session has expired. Please log in again.</p>}
      {reason === "logged-out" && <p class="banner">You are logged out.</p>}
      <Field label="Username" name="username" value={username} onInput={setUsername} autoComplete="username" />
      <Field label="Password" name="password" type="password" value={password} onInput={setPassword} autoComplete="current-password" />
      <ErrorBanner error={error} />
      <button type="submit" disabled={busy}>
        {busy ? "Logging in…" : "Log in"}
      </button>
    </form>
  );
}
