/**
 * Create or edit a channel: the settings every channel has (name, policy, allowlist, rate
 * limit), then the fields generated from the type's config schema.
 */
import { useMemo, useState } from "preact/hooks";
import type { Channel, ChannelType } from "../api/types";
import { useSubmit } from "../ui/actions";
import { FormFooter } from "../ui/form-footer";
import { asSchema, type FormValues, fieldsOf, initialValues, toConfig } from "./json-schema";
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
      <SchemaFields fields={fields} values={values} editing={Boolean(channel)} onChange={(n, v) => setValues((cur) => ({ ...cur, [n]: v }))} />
      <FormFooter error={error} busy={busy} label={submitLabel} busyLabel="Saving…" onCancel={onCancel} />
    </form>
  );
}
