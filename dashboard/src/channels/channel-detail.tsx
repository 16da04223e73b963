/** One channel: where the platform must send its webhooks, its state, setup, edit and delete. */
import { useState } from "preact/hooks";
import { api, body } from "../api/client";
import type { Channel, ChannelType } from "../api/types";
import { useSubmit } from "../ui/actions";
import { Badge, ConfirmButton, Copyable, ErrorBanner } from "../ui/widgets";
import { dateTime, timeAgo } from "../ui/format";
import { ChannelForm } from "./channel-form";
import { humanize } from "./json-schema";
import { bridgeOf, channelHealth, channelState, policyWords, SETUP_REGISTERS_WEBHOOK, typeName } from "./channel-state";
import { UnreachableWarning } from "./unreachable-warning";
import { LoginQr } from "./login-qr";
import { SetupSteps } from "./setup-steps";

const BANNER = { ok: "ok", warn: "warn", bad: "error", muted: "" } as const;

function configValue(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

export function ChannelDetail({
  channel,
  type,
  bridgeName,
  onChanged,
  onDeleted,
}: {
  channel: Channel;
  type: ChannelType | undefined;
  bridgeName?: string | null;
  onChanged: () => void;
  onDeleted: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const state = channelState(channel.status);
  const health = channelHealth(channel);
  const bridgeId = bridgeOf(channel);
  const {
    busy: removing,
    error,
    submit: remove,
  } = useSubmit(async () => {
    await body(api.channels[":id"].$delete({ param: { id: channel.id } }));
    onDeleted();
  });

  if (editing && type)
    return (
      <div class="card">
        <h2>Edit {channel.name}</h2>
        <ChannelForm
          type={type}
          channel={channel}
          submitLabel="Save changes"
          onCancel={() => setEditing(false)}
          onSubmit={async (v) => {
            await body(api.channels[":id"].$put({ param: { id: channel.id }, json: v }));
            setEditing(false);
            onChanged();
          }}
        />
      </div>
    );

  return (
    <div class="card" aria-label={`Channel ${channel.name}`}>
      <h2>
        {channel.name} <Badge tone={health.tone}>{health.label}</Badge>
      </h2>
      {bridgeId && (
        <p class={`banner ${BANNER[state.tone]}`} data-bridge-state={channel.status}>
          Served by bridge <strong>{bridgeName ?? bridgeId}</strong>. {state.explain}
          {channel.lastError && <span class="block">{channel.lastError}</span>}
        </p>
      )}
      {channel.status === "setup_pending" && (
        <p class={`banner ${BANNER[state.tone]}`} data-setup-pending>
          {state.explain}
        </p>
      )}
      {channel.status === "awaiting_event" && (
        <p class={`banner ${BANNER[state.tone]}`} data-awaiting-event>
          {state.explain}
        </p>
      )}
      {!bridgeId && channel.inboundUrl && <UnreachableWarning url={channel.inboundUrl} type={channel.type} />}
      {bridgeId && channel.status === "needs_login" && channel.statusDetail && (
        <LoginQr value={channel.statusDetail} channelType={channel.type} label={`Login QR code for ${channel.name}`} />
      )}
      <dl class="kv">
        <dt>Type</dt>
        <dd>{typeName(channel.type, type?.description)}</dd>
        <dt>Id</dt>
        <dd>
          <code>{channel.id}</code>
        </dd>
        {/* A bridged channel has no webhook: its messages come over the bridge's socket. */}
        {channel.inboundUrl && !bridgeId && (
          <>
            <dt>Inbound URL</dt>
            <dd>
              {SETUP_REGISTERS_WEBHOOK.has(channel.type) ? (
                <span class="muted">{channel.inboundUrl} (setup registers it with the platform; nothing to copy)</span>
              ) : (
                <Copyable value={channel.inboundUrl} label="inbound URL" />
              )}
            </dd>
          </>
        )}
        <dt>Policy</dt>
        <dd>{policyWords(channel.policy)}</dd>
        {channel.policy === "allowlist" && (
          <>
            <dt>Allowlist</dt>
            <dd>{channel.allowlist.join(", ") || "nobody yet"}</dd>
          </>
        )}
        <dt>Rate limit</dt>
        <dd>{channel.rateLimitPerMinute ? `${channel.rateLimitPerMinute} / minute / sender` : "gateway default"}</dd>
        <dt>Last message</dt>
        <dd title={dateTime(channel.lastMessageAt)}>{timeAgo(channel.lastMessageAt)}</dd>
        {channel.lastError && !bridgeId && (
          <>
            <dt>Last error</dt>
            <dd class="error-text">{channel.lastError}</dd>
          </>
        )}
        {Object.entries(channel.config).map(([k, v]) => (
          <>
            <dt key={`k-${k}`}>{humanize(k)}</dt>
            <dd key={`v-${k}`}>{configValue(v)}</dd>
          </>
        ))}
      </dl>
      <ErrorBanner error={error} />
      <div class="actions" style={{ marginTop: "1em" }}>
        {type && (
          <button type="button" class="ghost" onClick={() => setEditing(true)}>
            Edit
          </button>
        )}
        <ConfirmButton label="Delete" confirmLabel={`Delete ${channel.name}`} onConfirm={() => remove()} busy={removing} />
      </div>
      <div style={{ marginTop: "0.6em" }}>
        <SetupSteps channelId={channel.id} onDone={onChanged} />
      </div>
    </div>
  );
}
