/**
 * Server tools and an MCP server in a container turn, end to end with a real Docker engine: the
 * gateway (`npm start`, no model key), the bridge as a process with the key, the agent-runner
 * image, and the fake Messages API (which checks the documented shape of server tools, the
 * MCP connector and their beta headers). The channel gives its paired sender web search and an
 * MCP server with a token; the model searches, the API pauses the turn (`pause_turn`) once, the
 * runner continues it, and the answer's citation reaches the sender as a numbered source. The
 * requests carry the tool and `mcp_servers` with the token (added by the bridge), the token is
 * nowhere on the bridge's disk, and the search is counted in the usage.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { searchCitedText, webSearchCall } from "../fakes/anthropic-server-blocks";
import { type ContainerGateway, startContainerGateway } from "../support/container-gateway";
import { waitFor } from "../support/gateway-process";
import { postWebhook } from "../support/signed-webhook";

const PORT = 10300;
const KEY = "sk-ant-container-server-tools-e2e-4c2e";
const MCP_TOKEN = "crm-bearer-e2e-9b71-secret";
/** This file's own tag, so a parallel build of the image elsewhere cannot swap the runner under it. */
const IMAGE = "loopgate-agent:server-tools-e2e";
const SENDER = "grace";
const SOURCE = { url: "https://docs.example.com/releases", title: "Releases" };

type Json = Record<string, unknown>;

/** Every file under `dir`, read as text. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [readFileSync(path, "utf8")];
  });
}

describe("container turns with server tools and an MCP server", () => {
  let c: ContainerGateway;
  let fake: ContainerGateway["fake"];
  let api: ContainerGateway["api"];
  let bridge: ContainerGateway["bridge"];
  let bridgeData: ContainerGateway["bridgeData"];
  let channelId: ContainerGateway["channelId"];
  let inboundUrl: ContainerGateway["inboundUrl"];
  let secret: ContainerGateway["secret"];
  const replies = () => c.replies();

  beforeAll(async () => {
    c = await startContainerGateway({
      port: PORT,
      apiKey: KEY,
      image: IMAGE,
      name: "server-tools",
      sender: SENDER,
      agent: { serverTools: { webSearch: { maxUses: 2, allowedDomains: ["docs.example.com"] } }, mcpServers: ["crm"] },
      beforeChannel: async (api) => {
        const server = await api("POST", "/api/mcp-servers", {
          name: "crm",
          url: "https://crm.example.com/mcp",
          token: MCP_TOKEN,
          allowedTools: ["find_contact"],
        });
        expect(server.status, JSON.stringify(server.body)).toBe(201);
      },
    });
    ({ fake, api, bridge, bridgeData, channelId, inboundUrl, secret } = c);
  });

  afterAll(async () => {
    await c?.stop();
  });

  it("searches, continues the paused turn, and answers with the source; the bridge adds the tool and the MCP server", async () => {
    const from = fake.requests.length;
    const search = webSearchCall("loopgate latest release", [SOURCE]);
    fake.enqueue(
      { kind: "blocks", content: search, stop: "pause_turn", serverToolUse: { web_search_requests: 1, web_fetch_requests: 0 } },
      { kind: "blocks", content: [searchCitedText("Version 2 is out.", SOURCE, "Loopgate 2.0 released")] },
    );
    const res = await postWebhook(inboundUrl, secret, { messageId: "st-1", sender: { id: SENDER }, text: "what is the latest loopgate release?" });
    expect(res.status).toBe(200);
    await waitFor(async () => replies().length > 0, 90_000, "the reply");
    expect(replies()[0]).toBe(`Version 2 is out. [1]\n\nSources:\n1. [Releases](${SOURCE.url})`);

    const [first, second, ...rest] = fake.requests.slice(from).filter((r) => r.status === 200);
    expect(rest).toEqual([]);
    // The bridge added the channel's web search and the MCP server with its token, under the connector's beta.
    const tools = first!.body.tools as Json[];
    expect(tools.filter((t) => t.type !== undefined)).toEqual([
      { type: "web_search_20250305", name: "web_search", max_uses: 2, allowed_domains: ["docs.example.com"] },
    ]);
    expect(tools.map((t) => t.name)).toContain("run_command");
    expect(first!.body.mcp_servers).toEqual([
      {
        type: "url",
        url: "https://crm.example.com/mcp",
        name: "crm",
        authorization_token: MCP_TOKEN,
        tool_configuration: { enabled: true, allowed_tools: ["find_contact"] },
      },
    ]);
    expect(first!.headers["anthropic-beta"]).toBe("mcp-client-2025-04-04");
    // pause_turn: the paused content goes back as the assistant's, as it was, with no new user message.
    const messages = second!.body.messages as { role: string; content: Json[] }[];
    const last = messages.at(-1)!;
    expect(last.role).toBe("assistant");
    expect(last.content.map(({ cache_control: _hint, ...b }) => b)).toEqual(search);
    expect(messages.length).toBe((first!.body.messages as unknown[]).length + 1);
    expect(second!.body.mcp_servers).toEqual(first!.body.mcp_servers);

    // The search is counted and priced like a direct turn's, on the container run's calls.
    const calls = await api<{ calls: { mode: string; webSearchRequests: number; stopReason: string; costUsd: number }[] }>("GET", "/api/usage/calls?limit=10");
    const container = calls.body.calls.filter((c) => c.mode === "container");
    expect(container.map((c) => [c.stopReason, c.webSearchRequests]).sort()).toEqual([
      ["end_turn", 0],
      ["pause_turn", 1],
    ]);
    expect(container.find((c) => c.stopReason === "pause_turn")!.costUsd).toBeGreaterThan(0.01);
    const usage = await api<{ totals: { webSearchRequests: number } }>("GET", `/api/usage?channelId=${channelId}`);
    expect(usage.body.totals.webSearchRequests).toBe(1);

    const used = await api<{ events: { detail: Json }[] }>("GET", `/api/events?kind=agent.server_tool&channelId=${channelId}`);
    expect(used.body.events.map((e) => e.detail)).toEqual([expect.objectContaining({ mode: "container", tool: "web_search", step: 1 })]);

    // The token went over the link and to the API only: nothing the bridge wrote, nothing it logged.
    expect(filesUnder(bridgeData).some((text) => text.includes(MCP_TOKEN))).toBe(false);
    expect(bridge.output()).not.toContain(MCP_TOKEN);
  });
});
