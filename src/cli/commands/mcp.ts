/**
 * `loopgate mcp list|add|remove`: the remote MCP servers the agent may reach through the
 * Messages API's MCP connector. A server's token is read from stdin (`--token-stdin`), never
 * from an argument, so it stays out of shell history and the process list; the gateway seals
 * it and never shows it again. Channels and jobs then name servers in `agent.mcpServers` or a
 * step's `mcpServers`.
 */
import type { CommandSpec } from "../command";
import { unwrap } from "../connection";
import { usageError } from "../errors";
import { listOption } from "../options";
import { formatTime, renderPairs } from "../output";
import { pickByRef } from "../pick-by-ref";
import { readStdin } from "../prompt";

const list: CommandSpec = {
  path: ["mcp", "list"],
  summary: "list registered MCP servers (never their tokens)",
  remote: true,
  async run({ gateway, out }) {
    const gw = gateway();
    const { mcpServers } = await unwrap(gw, gw.client.api["mcp-servers"].$get());
    out.data({ mcpServers });
    out.table(
      ["id", "name", "url", "token", "allowed tools", "changed"],
      mcpServers.map((s) => [s.id, s.name, s.url, s.hasToken ? "set" : "none", s.allowedTools?.join(", ") ?? "all", formatTime(s.updatedAt)]),
      "No MCP servers. Register one with `loopgate mcp add NAME URL`.",
    );
  },
};

const add: CommandSpec = {
  path: ["mcp", "add"],
  summary: "register a remote MCP server (https URL) the agent may use",
  args: ["NAME", "URL"],
  remote: true,
  options: {
    tool: { type: "string", multiple: true, valueName: "name", description: "allow only this tool of the server (repeat, or comma-separate); default: all" },
    "token-stdin": { type: "boolean", description: "read the server's bearer token from stdin (sealed, never shown again)" },
  },
  details:
    "Then let a channel use it: put its name in the channel's agent settings (agent.mcpServers), or a job step's mcpServers. Only admin and paired senders ever reach a server.\nExample: printf %s \"$CRM_TOKEN\" | loopgate mcp add crm https://crm.example.com/mcp --tool find_contact --token-stdin",
  async run({ args, values, gateway, out }) {
    const token = values["token-stdin"] ? await readStdin() : undefined;
    if (token !== undefined && !token)
      throw usageError("--token-stdin read an empty token", 'pipe the token in, e.g. printf %s "$TOKEN" | loopgate mcp add ...');
    const gw = gateway();
    const allowedTools = listOption(values, "tool");
    const created = await unwrap(
      gw,
      gw.client.api["mcp-servers"].$post({ json: { name: args[0]!, url: args[1]!, ...(token ? { token } : {}), ...(allowedTools ? { allowedTools } : {}) } }),
    );
    out.data(created);
    out.say(
      renderPairs([
        ["registered", `${created.name} (${created.id})`],
        ["url", created.url],
        ["token", created.hasToken ? "set (sealed)" : "none"],
        ["allowed tools", created.allowedTools?.join(", ") ?? "all"],
      ]),
    );
  },
};

const remove: CommandSpec = {
  path: ["mcp", "remove"],
  summary: "delete an MCP server (by id or name); agents stop reaching it at their next turn",
  args: ["SERVER"],
  remote: true,
  async run({ args, gateway, out }) {
    const gw = gateway();
    const { mcpServers } = await unwrap(gw, gw.client.api["mcp-servers"].$get());
    const server = pickByRef(mcpServers, args[0]!, { one: "MCP server", many: "MCP servers", list: "mcp list" });
    await unwrap(gw, gw.client.api["mcp-servers"][":id"].$delete({ param: { id: server.id } }));
    out.data({ ok: true, id: server.id, name: server.name });
    out.say(`Deleted MCP server ${server.name} (${server.id}).`);
  },
};

export const mcpCommands = [list, add, remove];
