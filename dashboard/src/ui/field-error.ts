/**
 * API errors under the field they are about. The API answers a bad input as
 * `"<field path>: <what is wrong>"` (src/api/validate.ts, src/lib/zod-error.ts); a form names the
 * paths it shows, and the message goes under that field in words, without the API's field name.
 * An error about no known field stays at the foot of the form.
 */
export interface FieldError {
  /** The form's own name for the field, matched by `data-field-error`. */
  field: string | null;
  text: string;
}

export function fieldError(message: string | null, paths: Record<string, string>): FieldError | null {
  if (!message) return null;
  const m = /^([A-Za-z][\w.[\]]*): (.+)$/s.exec(message);
  if (!m?.[1] || !m[2]) return { field: null, text: message };
  const path = m[1].replace(/\[(\d+)\]/g, ".$1");
  // Longest match first: "deliverTo.recipient" before "deliverTo"; "steps.0.prompt" may be named "steps".
  const known = Object.keys(paths)
    .sort((a, b) => b.length - a.length)
    .find((p) => path === p || path.startsWith(`${p}.`));
  if (!known) return { field: null, text: message };
  const text = m[2].charAt(0).toUpperCase() + m[2].slice(1);
  return { field: paths[known] ?? null, text };
}
