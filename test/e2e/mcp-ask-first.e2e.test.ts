/**
 * An ask-first MCP tool end to end: `npm start` with the real SDK pointed at the fake Messages
 * API, a fake MCP server (Streamable HTTP, SSE answers) on this machine and a Slack channel on the
 * fake Web API. The channel marks one of the server's tools ask-first: the model is offered it as
 * `mcp__crm__delete_contact` (the server's schema; the other tool would go to the MCP connector,
 * which cannot reach a server on 127.0.0.1, so it is left out and the feed says so); the call waits, the admin approves it through the dashboard's API, the gateway
 * calls the server with its token, and the tool's result reaches the model, whose answer reaches
 * the sender.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-messages";
import { serveFake } from "../fakes/http-fake-server";
import { createFakeMcpServer } from "../support/fake-mcp-server";
import { removeState, setupAdmin, startGateway, waitFor, type GatewayProcess } from "../support/gateway-process";
import { createSlackFake } from "../../src/channels/slack/fake-web-api";
import messageIm from "../../src/channels/slack/fixtures/message-im.json";

const PORT = 10351;
const KEY = "sk-ant-e2e-mcp-ask-first-77a0";
const MCP_TOKEN = "mcp-e2e-bearer-3c1d9e";
const BOT_TOKEN = "xoxb-e2e-mcp-ask-first";
const SIGNING_SECRET = "e2e-slack-mcp-ask-first-secret-01";

type Sent = { role: string; content: string | { type: string; name?: string; tool_use_id?: string; content?: string; is_error?: boolean }[] };

describe("ask-first MCP tools, end to end", () => {
  const slack = createSlackFake({ botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET });
  const mcp = createFakeMcpServer({
    token: MCP_TOKEN,
    mode: "sse",
    tools: [
      { name: "find_contact", description: "Find a contact", inputSchema: { type: "object", properties: { name: { type: "string" } } }, run: () => "none" },
      {
        name: "delete_contact",
        description: "Delete a contact by id",
        inputSchema: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
        run: (args) => `contact ${String(args.id)} deleted`,
      },
    ],
  });
  let anthropic: FakeAnthropic;
  let slackServer: Awaited<ReturnType<typeof serveFake>>;
  let mcpServer: Awaited<ReturnType<typeof serveFake>>;
  let gw: GatewayProcess;
  beforeAll(async () => {
    anthropic = await startFakeAnthropic({ apiKey: KEY });
    slackServer = await serveFake(slack.handle);
    mcpServer = await serveFake(mcp.handle);
    gw = await startGateway({ port: PORT, env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: anthropic.url, AGENT_RETRY_BASE_MS: "50" } });
  });
  afterAll(async () => {
    await gw?.stop();
    await slackServer?.close();
    await mcpServer?.close();
    await anthropic?.close();
    if (gw) removeState(gw.stateDir);
  });

  it("offers the tool as a client tool, waits for the dashboard's approval, calls the server and gives the model its result", async () => {
    const { api } = await setupAdmin(gw);
    const added = await api("POST", "/api/mcp-servers", { name: "crm", url: `${mcpServer.url}/mcp`, token: MCP_TOKEN });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const refused = await api<{ error: string }>("POST", "/api/channels", {
      type: "slack",
      name: "Slack MCP",
      config: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiBase: `${slackServer.url}/api` },
      agent: { mcpServers: ["crm"], approvals: { askFirst: ["mcp:billing"] } },
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('names the MCP server \\"billing\\", which this channel\'s mcpServers does not list');

    const created = await api<{ channel: { id: string; inboundUrl: string } }>("POST", "/api/channels", {
      type: "slack",
      name: "Slack MCP",
      // MCP servers act on the admin's accounts: only admitted senders' turns get them.
      policy: "allowlist",
      allowlist: [messageIm.event.user],
      config: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiBase: `${slackServer.url}/api` },
      agent: { mcpServers: ["crm"], approvals: { askFirst: ["mcp:crm/delete_contact"] } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { id: channelId, inboundUrl } = created.body.channel;

    anthropic.enqueue({ kind: "tool_use", name: "mcp__crm__delete_contact", input: { id: "c42" } }, { kind: "text", text: "Contact c42 is gone." });
    const dm = structuredClone(messageIm);
    dm.event.text = "Please delete contact c42";
    expect((await slack.deliver(inboundUrl, dm)).status).toBe(200);

    // The call waits: the server has been listed, not called.
    const pending = async () =>
      (await api<{ approvals: { id: string; channelId: string; tools: unknown[] }[] }>("GET", "/api/approvals")).body.approvals.find(
        (a) => a.channelId === channelId,
      );
    await waitFor(async () => (await pending()) !== undefined, 30_000, "the waiting approval");
    const waiting = (await pending())!;
    expect(waiting.tools).toEqual([{ name: "mcp__crm__delete_contact", input: { id: "c42" } }]);
    expect(mcp.state.calls).toEqual([]);
    expect(mcp.state.methods.slice(0, 3)).toEqual(["initialize", "notifications/initialized", "tools/list"]);

    // The request offered the ask-first tool with the server's schema. The server's other tool is not
    // offered: the MCP connector reaches only https servers, and this one is on 127.0.0.1.
    const first = anthropic.requests.find((r) => JSON.stringify(r.body.tools ?? []).includes("mcp__crm__delete_contact"))!;
    const offered = (first.body.tools as { name: string; input_schema?: unknown }[]).find((t) => t.name === "mcp__crm__delete_contact");
    expect(offered?.input_schema).toEqual({ type: "object", properties: { id: { type: "string" } }, required: ["id"] });
    expect(first.body.mcp_servers).toBeUndefined();
    expect(JSON.stringify(first.body.tools)).not.toContain("find_contact");

    expect((await api("POST", `/api/approvals/${waiting.id}`, { decision: "approve" })).status).toBe(200);
    await waitFor(async () => slack.state.posted.some((m) => m.channel === dm.event.channel && m.text.includes("Contact c42 is gone.")), 30_000, "the answer");
    expect(mcp.state.calls).toEqual([{ name: "delete_contact", arguments: { id: "c42" } }]);
    expect(mcp.state.refused).toEqual([]);
    const messages = anthropic.requests.at(-1)!.body.messages as Sent[];
    const result = (messages.at(-1)!.content as { type: string; content?: string }[]).find((b) => b.type === "tool_result");
    expect(result?.content).toBe("contact c42 deleted");
    const skipped = async () =>
      (await api<{ events: { detail: { servers: string[]; reason: string } }[] }>("GET", `/api/events?channelId=${channelId}&kind=agent.mcp_skipped`)).body
        .events;
    await waitFor(async () => (await skipped()).length > 0, 30_000, "the skipped tools on the feed");
    expect((await skipped())[0]?.detail).toMatchObject({ servers: ["crm"], reason: expect.stringContaining("(find_contact) are not offered") });
  });
});
