/**
 * Minting a bridge token: a name, then the token, shown this once (the gateway keeps only its
 * hash), with the commands that start a bridge with it.
 */
import { useState } from "preact/hooks";
import { API_BASE, api, body } from "../api/client";
import { useSubmit } from "../ui/actions";
import { Copyable } from "../ui/widgets";
import { FormFooter } from "../ui/form-footer";

export function NewBridge({ onCreated, onClose }: { onCreated: () => void; onClose: () => void }) {
  const [name, setName] = useState("");
  const [minted, setMinted] = useState<{ name: string; token: string } | null>(null);

  const { busy, error, submit } = useSubmit(async () => {
    const res = await body(api.bridges.$post({ json: { name: name.trim() } }));
    setMinted({ name: res.bridge.name, token: res.token });
    onCreated();
  });

  if (minted) {
    const env = `LOOPGATE_URL=${API_BASE} LOOPGATE_BRIDGE_TOKEN=${minted.token}`;
    return (
      <section class="card" aria-label="Bridge token">
        <h2>{minted.name} is ready to connect</h2>
        <p class="banner warn">
          Copy the token now: it is shown only this once. The gateway keeps only its hash; if it is lost, revoke the bridge and mint another.
        </p>
        <dl class="kv">
          <dt>Token</dt>
          <dd data-secret="bridge-token">
            <Copyable value={minted.token} label="bridge token" />
          </dd>
          <dt>Run it</dt>
          <dd>
            <Copyable value={`${env} npm run bridge`} label="bridge command" />
          </dd>
          <dt>Or on a server</dt>
          <dd>
            <Copyable value={`${env} docker compose -f bridge/compose.yaml up -d`} label="docker command" />
          </dd>
        </dl>
        <p class="muted">
          Then add channels for it (IRC, Signal, Slack Socket Mode…) on the Channels screen, naming this bridge in their config. The bridge appears as up here
          once it connects.
        </p>
        <div class="actions">
          <button type="button" onClick={onClose}>
            Done
          </button>
        </div>
      </section>
    );
  }

  return (
    <form class="card" onSubmit={submit} aria-label="New bridge">
      <h2>New bridge</h2>
      <label class="field">
        <span>Name</span>
        <input name="name" type="text" required maxLength={100} placeholder="e.g. home-server" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <small>Where it runs, so you can tell bridges apart.</small>
      </label>
      <FormFooter error={error} busy={busy} label="Mint token" busyLabel="Minting…" onCancel={onClose} />
    </form>
  );
}
