/**
 * Create or edit a channel: the settings every channel has (name, policy, allowlist, rate
 * limit), then the fields generated from the type's config schema.
 */
import { useMemo, useState } from "preact/hooks";
import type { Channel, ChannelType } from "../api/types";
import { useSubmit } from "../ui/actions";
import { FormFooter } from "../ui/form-footer";
import { asSchema, type FormField, type FormValues, fieldsOf, initialValues, toConfig } from "./json-schema";
import { SchemaFields } from "./schema-fields";

const POLICIES = {
  pairing: "Pairing: new senders get a code an admin approves",
  allowlist: "Allowlist: only the listed sender ids",
  open: "Open: anyone may talk to the agent",
  disabled: "Disabled: ignore every message",
} as const;
type Policy = keyof typeof POLICIES;

export interface ChannelFormValue {
  name: string;
  policy: Policy;
  allowlist: string[];
  rateLimitPerMinute: number | null;
  config: Record<string, unknown>;
}

/**
 * The API refuses a config as `invalid <type> config: <key>: <message>` (src/api/channels.ts);
 * the message goes under that field, with the field's label in place of the config key.
 */
function configFieldError(error: string | null, fields: FormField[]): Record<string, string> {
  const m = error ? /^invalid \S+ config: (\w+): (.+?)(; .*)?$/s.exec(error) : null;
  const field = m?.[1] ? fields.find((f) => f.name === m[1]) : undefined;
  if (!field || !m?.[2]) return {};
  const text = m[2].replace(new RegExp(`\\b${field.name}\\b`, "g"), field.label);
  return { [field.name]: text.charAt(0).toUpperCase() + text.slice(1) };
}

export function ChannelForm({
  type,
  channel,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  type: ChannelType;
  channel?: Channel;
  submitLabel: string;
  onSubmit: (v: ChannelFormValue) => Promise<void>;
  onCancel?: () => void;
}) {
  const fields = useMemo(() => fieldsOf(asSchema(type.configSchema), type.secretFields), [type]);
  const [name, setName] = useState(channel?.name ?? "");
  const [policy, setPolicy] = useState<Policy>(channel?.policy ?? "pairing");
  const [allowlist, setAllowlist] = useState((channel?.allowlist ?? []).join("\n"));
  const [rate, setRate] = useState(channel?.rateLimitPerMinute ? String(channel.rateLimitPerMinute) : "");
  const [values, setValues] = useState<FormValues>(() => initialValues(fields, channel?.config as Record<string, unknown> | undefined));

  const { busy, error, submit } = useSubmit(async () => {
    await onSubmit({
      name: name.trim(),
      policy,
      allowlist: allowlist
        .split(/\r?\n|,/)
        .map((x) => x.trim())
        .filter(Boolean),
      rateLimitPerMinute: rate.trim() ? Number(rate) : null,
      config: toConfig(fields, values),
    });
  });

  const fieldErrors = useMemo(() => configFieldError(error, fields), [error, fields]);

  return (
    <form onSubmit={submit} aria-label={channel ? `Edit ${channel.name}` : `New ${type.type} channel`}>
      <label class="field">
        <span>Name</span>
        <input name="name" type="text" value={name} required maxLength={100} placeholder={`My ${type.type}`} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>Who may talk</span>
        <select name="policy" value={policy} onChange={(e) => setPolicy(e.currentTarget.value as Policy)}>
          {Object.entries(POLICIES).map(([k, label]) => (
            <option key={k} value={k}>
              {label}
            </option>
          ))}
        </select>
      </label>
      {policy === "allowlist" && (
        <label class="field">
          <span>Allowed sender ids</span>
          <textarea name="allowlist" value={allowlist} onInput={(e) => setAllowlist(e.currentTarget.value)} />
          <small>One per line, as the platform names them.</small>
        </label>
      )}
      <label class="field">
        <span>
          Messages per minute per sender <small>(optional)</small>
        </span>
        <input
          name="rateLimitPerMinute"
          type="number"
          min={1}
          max={10000}
          value={rate}
          placeholder="gateway default"
          onInput={(e) => setRate(e.currentTarget.value)}
        />
      </label>
      <SchemaFields
        fields={fields}
        values={values}
        errors={fieldErrors}
        editing={Boolean(channel)}
        onChange={(n, v) => setValues((cur) => ({ ...cur, [n]: v }))}
      />
      <FormFooter error={Object.keys(fieldErrors).length ? null : error} busy={busy} label={submitLabel} busyLabel="Saving…" onCancel={onCancel} />
    </form>
  );
}
