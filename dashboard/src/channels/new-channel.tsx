/** Adding a channel: pick a type, fill its form, then see the inbound URL and any generated secret, once. */
import { useState } from "preact/hooks";
import { api, body } from "../api/client";
import type { Channel, ChannelType } from "../api/types";
import { Copyable } from "../ui/widgets";
import { ChannelForm } from "./channel-form";
import { SetupSteps } from "./setup-steps";

interface Created {
  channel: Channel;
  generatedSecrets: Record<string, unknown>;
}

export function NewChannel({ types, onCreated, onClose }: { types: ChannelType[]; onCreated: () => void; onClose: () => void }) {
  const [typeName, setTypeName] = useState(types[0]?.type ?? "");
  const [created, setCreated] = useState<Created | null>(null);
  const type = types.find((t) => t.type === typeName);

  if (created) {
    const secrets = Object.entries(created.generatedSecrets);
    return (
      <div class="card" role="region" aria-label="Channel created">
        <h2>{created.channel.name} is ready</h2>
        {created.channel.inboundUrl && (
          <p>
            Point the platform at this inbound URL:
            <br />
            <Copyable value={created.channel.inboundUrl} label="inbound URL" />
          </p>
        )}
        {secrets.length > 0 && (
          <div class="banner warn">
            <p>
              <strong>Copy these now: they are shown only once.</strong>
            </p>
            <dl class="kv">
              {secrets.map(([k, v]) => (
                <>
                  <dt key={`k-${k}`}>{k}</dt>
                  <dd key={`v-${k}`} data-secret={k}>
                    <Copyable value={String(v)} label={k} />
                  </dd>
                </>
              ))}
            </dl>
          </div>
        )}
        <SetupSteps channelId={created.channel.id} />
        <div class="actions" style={{ marginTop: "1em" }}>
          <button type="button" onClick={onClose}>
            Done
          </button>
        </div>
      </div>
    );
  }

  return (
    <div class="card">
      <h2>Add a channel</h2>
      <label class="field">
        <span>Type</span>
        <select name="type" value={typeName} onChange={(e) => setTypeName(e.currentTarget.value)}>
          {types.map((t) => (
            <option key={t.type} value={t.type}>
              {t.type} — {t.description}
            </option>
          ))}
        </select>
      </label>
      {type && (
        <ChannelForm
          key={type.type}
          type={type}
          submitLabel="Create channel"
          onCancel={onClose}
          onSubmit={async (v) => {
            const res = await body(api.channels.$post({ json: { type: type.type, ...v } }));
            setCreated({ channel: res.channel, generatedSecrets: res.generatedSecrets });
            onCreated();
          }}
        />
      )}
    </div>
  );
}
