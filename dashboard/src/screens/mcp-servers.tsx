/**
 * MCP servers: the remote tool servers the agent may reach through Anthropic's MCP connector.
 * Register (URL, name, token, allowed tools), edit, delete, and tick the channels whose agent
 * may use each one.
 */
import { useState } from "preact/hooks";
import { api, body } from "../api/client";
import type { McpServer } from "../api/types";
import { McpServerForm } from "../mcp/mcp-server-form";
import { ServerChannels } from "../mcp/server-channels";
import type { ScreenDef } from "../shell/screens";
import { useRowActions } from "../ui/actions";
import { timeAgo } from "../ui/format";
import { useLoad } from "../ui/use-load";
import { Badge, ConfirmButton, Empty, ErrorBanner } from "../ui/widgets";

function McpServers() {
  const servers = useLoad(async () => (await body(api["mcp-servers"].$get())).mcpServers, []);
  const channels = useLoad(async () => (await body(api.channels.$get())).channels, []);
  const [editing, setEditing] = useState<McpServer | "new" | null>(null);
  const reload = async () => {
    await Promise.all([servers.reload(), channels.reload()]);
  };
  const { error, act } = useRowActions(reload);
  const saved = () => {
    setEditing(null);
    void reload();
  };

  return (
    <section>
      <div class="toolbar">
        <button type="button" disabled={editing !== null} onClick={() => setEditing("new")}>
          New MCP server
        </button>
        <span class="muted">Tools on your own servers, called by Anthropic's MCP connector for admin and paired senders only.</span>
      </div>
      <ErrorBanner error={error ?? servers.error ?? channels.error} />
      {editing && (
        <McpServerForm
          key={editing === "new" ? "new" : editing.id}
          server={editing === "new" ? undefined : editing}
          onSaved={saved}
          onCancel={() => setEditing(null)}
        />
      )}
      {(servers.data ?? []).length === 0 ? (
        <Empty>{servers.loading && !servers.data ? "Loading…" : "No MCP servers yet."}</Empty>
      ) : (
        <ul class="rows" aria-label="MCP servers">
          {servers.data?.map((s) => (
            <li key={s.id} class="row" data-mcp-server={s.name}>
              <div class="main">
                <strong>{s.name}</strong>
                <div class="meta">
                  <span>
                    <code>{s.url}</code>
                  </span>
                  <span>{s.allowedTools ? `tools: ${s.allowedTools.join(", ")}` : "every tool"}</span>
                  <span>changed {timeAgo(s.updatedAt)}</span>
                </div>
                <ServerChannels server={s.name} channels={channels.data ?? []} act={act} />
              </div>
              <Badge tone={s.hasToken ? "ok" : "muted"}>{s.hasToken ? "token set" : "no token"}</Badge>
              <div class="actions">
                <button type="button" class="ghost" disabled={editing !== null} onClick={() => setEditing(s)}>
                  Edit
                </button>
                <ConfirmButton
                  label="Delete"
                  confirmLabel="Delete server"
                  onConfirm={() => act(() => body(api["mcp-servers"][":id"].$delete({ param: { id: s.id } })))}
                />
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export const screen: ScreenDef = { path: "/mcp-servers", title: "MCP servers", order: 17, component: McpServers };
