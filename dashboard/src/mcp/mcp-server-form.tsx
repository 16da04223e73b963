/**
 * Registering or editing a remote MCP server: name, https URL, an optional bearer token and the
 * tools the agent may call. The token is write-only: the gateway seals it and never shows it
 * again, so editing leaves it as it is unless a new one is typed or "remove" is ticked.
 */
import { useState } from "preact/hooks";
import { api, body } from "../api/client";
import type { McpServer } from "../api/types";
import { useSubmit } from "../ui/actions";
import { FormFooter } from "../ui/form-footer";

const splitList = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

export function McpServerForm({ server, onSaved, onCancel }: { server?: McpServer; onSaved: () => void; onCancel: () => void }) {
  const [name, setName] = useState(server?.name ?? "");
  const [url, setUrl] = useState(server?.url ?? "");
  const [token, setToken] = useState("");
  const [removeToken, setRemoveToken] = useState(false);
  const [tools, setTools] = useState((server?.allowedTools ?? []).join("\n"));

  const { busy, error, submit } = useSubmit(async () => {
    const allowed = splitList(tools);
    const json = {
      name: name.trim(),
      url: url.trim(),
      allowedTools: allowed.length ? allowed : null,
      // Left out: the stored token stays (edit) or there is none (new).
      ...(token ? { token } : removeToken ? { token: null } : {}),
    };
    if (server) await body(api["mcp-servers"][":id"].$put({ param: { id: server.id }, json }));
    else await body(api["mcp-servers"].$post({ json }));
    onSaved();
  });

  return (
    <form class="card" onSubmit={submit} aria-label={server ? `Edit ${server.name}` : "New MCP server"}>
      <h2>{server ? `Edit ${server.name}` : "New MCP server"}</h2>
      <label class="field">
        <span>Name</span>
        <input
          name="name"
          type="text"
          required
          maxLength={64}
          pattern="[a-z0-9][a-z0-9_\-]*"
          placeholder="e.g. crm"
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <small>Lower case letters, digits, - and _. Channels and jobs name the server by it.</small>
      </label>
      <label class="field">
        <span>URL</span>
        <input name="url" type="url" required placeholder="https://mcp.example.com/sse" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
        <small>Its https address; Anthropic's MCP connector calls it, not the gateway.</small>
      </label>
      <label class="field">
        <span>
          Token <small>(optional)</small>
        </span>
        <input
          name="token"
          type="password"
          autocomplete="off"
          value={token}
          placeholder={server?.hasToken ? "set — type a new one to replace it" : "none"}
          onInput={(e) => setToken(e.currentTarget.value)}
        />
        <small>An OAuth bearer token for the server. Sealed with the master key, never shown again.</small>
      </label>
      {server?.hasToken && !token && (
        <label class="field check">
          <input name="removeToken" type="checkbox" checked={removeToken} onChange={(e) => setRemoveToken(e.currentTarget.checked)} /> Remove the stored token
        </label>
      )}
      <label class="field">
        <span>
          Allowed tools <small>(optional)</small>
        </span>
        <textarea name="allowedTools" value={tools} placeholder="all of the server's tools" onInput={(e) => setTools(e.currentTarget.value)} />
        <small>One per line; when empty the agent may call every tool the server offers.</small>
      </label>
      <FormFooter error={error} busy={busy} label={server ? "Save" : "Add server"} busyLabel="Saving…" onCancel={onCancel} />
    </form>
  );
}
