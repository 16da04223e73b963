/**
 * Which channels' agents may use one MCP server: a tick per channel, saved at once into the
 * channel's agent settings (`agent.mcpServers`). Public-tier senders never get a server,
 * whatever is ticked (src/agent/mcp-servers.ts); jobs name servers in their steps.
 */
import { api, body } from "../api/client";
import type { Channel } from "../api/types";

/** The channel's agent settings with `server` added or removed; null when nothing is left set. */
function withServer(channel: Channel, server: string, on: boolean) {
  const agent = { ...(channel.agent ?? {}) };
  const names = new Set(agent.mcpServers ?? []);
  if (on) names.add(server);
  else names.delete(server);
  if (names.size) agent.mcpServers = [...names].sort();
  else delete agent.mcpServers;
  return Object.keys(agent).length ? agent : null;
}

export function ServerChannels({ server, channels, act }: { server: string; channels: Channel[]; act: (run: () => Promise<unknown>) => Promise<void> }) {
  if (channels.length === 0) return <small>No channels yet.</small>;
  return (
    <fieldset class="chips" aria-label={`Channels using ${server}`}>
      {channels.map((c) => (
        <label key={c.id} class="chip-check">
          <input
            type="checkbox"
            name={`channel-${c.id}`}
            checked={(c.agent?.mcpServers ?? []).includes(server)}
            onChange={(e) => {
              const on = e.currentTarget.checked;
              void act(() => body(api.channels[":id"].$put({ param: { id: c.id }, json: { agent: withServer(c, server, on) } })));
            }}
          />{" "}
          {c.name}
        </label>
      ))}
    </fieldset>
  );
}
