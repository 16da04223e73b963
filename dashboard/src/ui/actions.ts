/** Running what the admin asked for (a form's submit, a row's button) with its busy flag and its error kept in one place. */
import { useState } from "preact/hooks";

/** What to show for a failure: the API's message (ApiError carries it) or the thrown value. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export interface Submit {
  /** True while the action runs: the submit button is disabled and shows its busy label. */
  busy: boolean;
  /** The last attempt's failure, for an ErrorBanner; cleared when the next attempt starts. */
  error: string | null;
  /** The form's onSubmit (the page is not reloaded), or a button's handler without an event. */
  submit: (e?: Event) => Promise<void>;
}

/** A form's submit: runs `action`, keeping the form busy meanwhile and its failure on screen. */
export function useSubmit(action: () => Promise<void>): Submit {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e?: Event) => {
    e?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit };
}

export interface RowActions {
  /** The last action's failure, for the screen's ErrorBanner. */
  error: string | null;
  /** Runs one action, then reloads the list whether it worked or not, so each row shows what is true now. */
  act: (run: () => Promise<unknown>) => Promise<void>;
}

/** The buttons on a list screen's rows (pause, revoke, approve ...): one error for the screen, one reload after each. */
export function useRowActions(reload: () => Promise<unknown>): RowActions {
  const [error, setError] = useState<string | null>(null);
  const act = async (run: () => Promise<unknown>) => {
    setError(null);
    try {
      await run();
    } catch (err) {
      setError(errorMessage(err));
    }
    await reload();
  };
  return { error, act };
}
