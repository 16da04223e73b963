/** The end of every create/edit form: what went wrong, the submit button (its busy label while it runs) and Cancel. */
import { ErrorBanner } from "./widgets";

export interface FormFooterProps {
  /** The last submit's failure (from useSubmit). */
  error: string | null;
  /** True while submitting: the button is disabled and shows `busyLabel`. */
  busy: boolean;
  label: string;
  busyLabel: string;
  /** Another reason the form cannot be sent yet (a field already marked bad). */
  blocked?: boolean;
  /** Omitted where there is nothing to go back to. */
  onCancel?: () => void;
}

export function FormFooter({ error, busy, label, busyLabel, blocked = false, onCancel }: FormFooterProps) {
  return (
    <>
      <ErrorBanner error={error} />
      <div class="actions">
        <button type="submit" disabled={busy || blocked}>
          {busy ? busyLabel : label}
        </button>
        {onCancel && (
          <button type="button" class="ghost" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </>
  );
}
