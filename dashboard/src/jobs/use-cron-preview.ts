/**
 * The next run times of a cron expression as the admin types it: asks GET /api/cron/preview
 * (the same parser the scheduler uses) once typing pauses, and keeps only the newest answer.
 * A bad expression or time zone comes back as the field to mark and why.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api/client";

const DEBOUNCE_MS = 300;

export type CronPreview =
  | { kind: "idle" }
  | { kind: "checking" }
  | { kind: "ok"; next: string[]; timezone: string }
  /** `field` is "timezone", a cron field name (minute, hour, ...) or "expression". */
  | { kind: "error"; field: string; error: string };

export function useCronPreview(expr: string, timezone: string): CronPreview {
  const [preview, setPreview] = useState<CronPreview>({ kind: "idle" });
  const latest = useRef(0);

  useEffect(() => {
    const trimmed = expr.trim();
    if (!trimmed) {
      setPreview({ kind: "idle" });
      return;
    }
    setPreview((p) => (p.kind === "ok" ? p : { kind: "checking" }));
    const mine = ++latest.current;
    const timer = setTimeout(async () => {
      try {
        const res = await api.cron.preview.$get({ query: { expr: trimmed, tz: timezone.trim() || undefined } });
        const json = (await res.json()) as { next?: string[]; timezone?: string; error?: string; field?: string };
        if (mine !== latest.current) return;
        if (res.ok && json.next) setPreview({ kind: "ok", next: json.next, timezone: json.timezone ?? timezone });
        else setPreview({ kind: "error", field: json.field ?? "expression", error: json.error ?? `the gateway answered ${res.status}` });
      } catch (err) {
        if (mine === latest.current)
          setPreview({ kind: "error", field: "expression", error: `cannot check the expression: ${err instanceof Error ? err.message : String(err)}` });
      }
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [expr, timezone]);

  return preview;
}

/** A due time as the wall clock of the job's own time zone, e.g. "Mon 3 Mar, 09:00". */
export function inZone(iso: string, timezone: string): string {
  try {
    return new Intl.DateTimeFormat(undefined, {
      timeZone: timezone,
      weekday: "short",
      day: "numeric",
      month: "short",
      hour: "2-digit",
      minute: "2-digit",
      hour12: false,
    }).format(new Date(iso));
  } catch {
    return iso;
  }
}
