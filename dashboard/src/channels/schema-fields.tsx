/** Renders the fields of a channel type's config schema; values live in the parent form. */
import { BridgePicker } from "./bridge-picker";
import type { FormField, FormValues } from "./json-schema";

/**
 * The field's help text: the schema's description, which says itself whether an empty value is
 * generated (a signing secret) or simply left out (an existing account's password).
 */
function hint(f: FormField, editing: boolean): string | undefined {
  const notes = [f.description];
  if (f.kind === "secret" && editing) notes.push("Stored encrypted; leave empty to keep the current value.");
  if (f.kind === "list") notes.push("One per line.");
  return notes.filter(Boolean).join(" ") || undefined;
}

export function SchemaFields({
  fields,
  values,
  onChange,
  editing = false,
  errors = {},
}: {
  fields: FormField[];
  values: FormValues;
  /** The API's complaint about a field, shown under it (channel-form.tsx). */
  errors?: Record<string, string>;
  onChange: (name: string, value: string | boolean) => void;
  editing?: boolean;
}) {
  return (
    <>
      {fields.map((f) => {
        const id = `cfg-${f.name}`;
        const value = values[f.name];
        const text = typeof value === "string" ? value : "";
        const required = f.required && !(editing && f.kind === "secret");
        const input = (e: { currentTarget: { value: string } }) => onChange(f.name, e.currentTarget.value);
        if (f.kind === "boolean")
          return (
            <label class="field check" key={f.name}>
              <input id={id} name={f.name} type="checkbox" checked={value === true} onChange={(e) => onChange(f.name, e.currentTarget.checked)} />
              <span>{f.label}</span>
              {hint(f, editing) && <small>{hint(f, editing)}</small>}
            </label>
          );
        return (
          <label class="field" key={f.name}>
            <span>
              {f.label} {!required && <small>(optional)</small>}
            </span>
            {f.name === "bridgeId" ? (
              <BridgePicker id={id} value={text} required={required} onChange={(v) => onChange(f.name, v)} />
            ) : f.kind === "select" ? (
              <select id={id} name={f.name} value={text} required={required} onChange={input}>
                {!required && <option value="">—</option>}
                {f.options?.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            ) : f.kind === "list" || f.kind === "json" ? (
              <textarea id={id} name={f.name} value={text} required={required} onInput={input} />
            ) : f.kind === "secret" ? (
              <input
                id={id}
                name={f.name}
                type="password"
                autoComplete="new-password"
                value={text}
                required={required}
                placeholder={editing ? "unchanged" : ""}
                onInput={input}
              />
            ) : f.kind === "number" ? (
              <input id={id} name={f.name} type="number" value={text} required={required} onInput={input} />
            ) : f.kind === "url" ? (
              <input id={id} name={f.name} type="url" value={text} required={required} placeholder="https://" onInput={input} />
            ) : (
              <input id={id} name={f.name} type="text" value={text} required={required} onInput={input} />
            )}
            {errors[f.name] && (
              <small class="error-text" role="alert" data-field-error={f.name}>
                {errors[f.name]}
              </small>
            )}
            {hint(f, editing) && <small>{hint(f, editing)}</small>}
          </label>
        );
      })}
    </>
  );
}
