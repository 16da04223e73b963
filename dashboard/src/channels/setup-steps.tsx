/**
 * Runs a channel's `setup` (register the webhook with the platform, or explain the manual steps)
 * and shows the outcome; `auto` runs it at once (a channel just created) and reports the outcome
 * to the parent, so nothing says "ready" before setup has run and worked.
 */
import { useEffect, useState } from "preact/hooks";
import { api, ApiError } from "../api/client";
import { useSubmit } from "../ui/actions";
import { ErrorBanner } from "../ui/widgets";

interface SetupResult {
  ok: boolean;
  steps: string[];
}

export function SetupSteps({
  channelId,
  onDone,
  auto = false,
  onResult,
}: {
  channelId: string;
  onDone?: () => void;
  auto?: boolean;
  onResult?: (ok: boolean) => void;
}) {
  const [result, setResult] = useState<SetupResult | null>(null);

  const {
    busy,
    error,
    submit: run,
  } = useSubmit(async () => {
    const res = await api.channels[":id"].setup.$post({ param: { id: channelId } });
    // A failed setup (502) still carries the steps that explain what went wrong.
    const data = (await res.json()) as Partial<SetupResult> & { error?: string };
    if (Array.isArray(data.steps)) {
      setResult({ ok: data.ok === true, steps: data.steps });
      onResult?.(data.ok === true);
    } else {
      onResult?.(false);
      throw new ApiError(res.status, data.error ?? `setup failed (${res.status})`);
    }
    onDone?.();
  });
  useEffect(() => {
    if (auto) void run();
    // Once, for the channel just created.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <div class="setup">
      <button type="button" class="ghost" disabled={busy} onClick={() => void run()}>
        {busy ? "Running setup…" : result ? "Run setup again" : "Run setup"}
      </button>
      <ErrorBanner error={error} />
      {result && (
        <div class={`banner ${result.ok ? "ok" : "error"}`} role="status">
          <strong>{result.ok ? "Setup done" : "Setup failed"}</strong>
          <ol>
            {result.steps.map((s, i) => (
              <li key={i}>{s}</li>
            ))}
          </ol>
        </div>
      )}
    </div>
  );
}
