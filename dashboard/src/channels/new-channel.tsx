/**
 * Adding a channel: pick a type (by its description, not its id), fill its form; then its setup
 * runs at once and the heading says how it went ("is ready" only once setup worked, and
 * "waiting for the first event" where the platform-side steps are done by hand). The inbound
 * URL and generated secrets are shown once, except for platforms whose setup hands them over
 * itself (Telegram's setWebhook), where there is nothing to copy; an address platforms cannot
 * reach (localhost) is called out with the ways around it.
 */
import { useState } from "preact/hooks";
import { api, body } from "../api/client";
import type { Channel, ChannelType } from "../api/types";
import { Copyable } from "../ui/widgets";
import { ChannelForm } from "./channel-form";
import { humanize } from "./json-schema";
import { SetupSteps } from "./setup-steps";
import { SETUP_REGISTERS_WEBHOOK, typeName as typeWords } from "./channel-state";
import { UnreachableWarning, unreachableReason } from "./unreachable-warning";

interface Created {
  channel: Channel;
  generatedSecrets: Record<string, unknown>;
}

export function NewChannel({ types, onCreated, onClose }: { types: ChannelType[]; onCreated: () => void; onClose: () => void }) {
  const [typeName, setTypeName] = useState(types[0]?.type ?? "");
  const [created, setCreated] = useState<Created | null>(null);
  const [setupOk, setSetupOk] = useState<boolean | null>(null);
  const type = types.find((t) => t.type === typeName);

  if (created) {
    const selfRegistering = SETUP_REGISTERS_WEBHOOK.has(created.channel.type);
    const secrets = selfRegistering ? [] : Object.entries(created.generatedSecrets);
    const bridged = typeof created.channel.config.bridgeId === "string";
    const name = created.channel.name;
    // Set up against a platform that still cannot deliver here is not "ready".
    // Setup checked the credentials; until the platform-side steps below are done, nothing arrives.
    const awaiting = created.channel.status === "awaiting_event";
    const waitingForBridge = created.channel.status === "waiting_for_bridge";
    const unreachable = !bridged && created.channel.inboundUrl !== null && unreachableReason(created.channel.inboundUrl, created.channel.type) !== null;
    return (
      <div class="card" role="region" aria-label="Channel created">
        <h2 data-setup-state={setupOk === null ? "running" : setupOk ? "ok" : "failed"}>
          {setupOk === null
            ? `${name} was created; setting it up…`
            : !setupOk
              ? `${name} was created, but its setup failed`
              : unreachable
                ? `${name} is set up, but the platform cannot reach this gateway yet`
                : awaiting
                  ? `${name} is set up; waiting for its first message`
                  : waitingForBridge
                    ? `${name} is set up; waiting for its bridge to start it`
                    : `${name} is ready`}
        </h2>
        {selfRegistering && (
          <p class="muted">
            Setup gives {typeWords(created.channel.type, type?.description)} this channel's address and secret itself: there is nothing to copy.
          </p>
        )}
        {!selfRegistering && !bridged && created.channel.inboundUrl && (
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
                  <dt key={`k-${k}`}>{humanize(k)}</dt>
                  <dd key={`v-${k}`} data-secret={k}>
                    <Copyable value={String(v)} label={k} />
                  </dd>
                </>
              ))}
            </dl>
          </div>
        )}
        {!bridged && created.channel.inboundUrl && <UnreachableWarning url={created.channel.inboundUrl} type={created.channel.type} />}
        <SetupSteps channelId={created.channel.id} auto onResult={setSetupOk} onDone={onCreated} />
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
              {t.description}
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
