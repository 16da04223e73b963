/** Small shared pieces: error banner, status badge, confirm-in-place button, copyable value. */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";

export function ErrorBanner({ error }: { error: string | null | undefined }) {
  if (!error) return null;
  return (
    <p class="banner error" role="alert">
      {error}
    </p>
  );
}

export function Badge({ tone, children }: { tone: "ok" | "warn" | "bad" | "muted"; children: ComponentChildren }) {
  return <span class={`badge ${tone}`}>{children}</span>;
}

/** A destructive action that asks once more in place, instead of a modal dialog. */
export function ConfirmButton({
  label,
  confirmLabel,
  onConfirm,
  busy,
}: {
  label: string;
  confirmLabel: string;
  onConfirm: () => void | Promise<void>;
  busy?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" class="danger ghost" disabled={busy} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  return (
    <span class="confirm">
      <button
        type="button"
        class="danger"
        disabled={busy}
        onClick={async () => {
          await onConfirm();
          setAsking(false);
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" class="ghost" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

export function Copyable({ value, label }: { value: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <span class="copyable">
      <code>{value}</code>
      <button
        type="button"
        class="ghost small"
        aria-label={`Copy ${label ?? "value"}`}
        onClick={async () => {
          await navigator.clipboard?.writeText(value).catch(() => undefined);
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        }}
      >
        {copied ? "Copied" : "Copy"}
      </button>
    </span>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/** A figure with its label, in the `.stats` grid. */
export function Stat({ label, children, hint }: { label: string; children: ComponentChildren; hint?: ComponentChildren }) {
  return (
    <div class="stat">
      <div class="label">{label}</div>
      <div class="value">{children}</div>
      {hint && <div class="hint">{hint}</div>}
    </div>
  );
}
