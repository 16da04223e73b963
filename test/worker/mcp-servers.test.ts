/**
 * The MCP server registry in workerd: `/api/mcp-servers` seals the token at rest and never
 * returns it, refuses what the MCP connector would (http URLs, bad names) and duplicates; a
 * turn is given exactly the servers its channel's agent settings name, tokens opened, and a
 * public-tier sender none at all; a job step gets the servers it names (tokens opened), the
 * other steps none; a master-key rotation's reseal seals MCP tokens again under the new key.
 */
import { env } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { mcpGrants } from "../../src/agent/mcp-servers";
import { agentSettingsSchema } from "../../src/agent/settings";
import { keyringFor } from "../../src/crypto/keyring";
import { openDb } from "../../src/db/client";
import { schedulerAgent } from "../../src/scheduler/runtime-factory";
import { scriptedRuntime } from "../fakes/scripted-runtime";
import { adminToken, call, eventually, isolateScheduledWork } from "./helpers";

let token: string;
beforeAll(async () => {
  token = await adminToken();
});
isolateScheduledWork();
afterEach(() => vi.restoreAllMocks());

const crm = { name: "crm", url: "https://crm.example.com/mcp", token: "mcp-bearer-secret-123", allowedTools: ["find_contact"] };

describe("/api/mcp-servers", () => {
  it("registers a server with its token sealed, shows everything but the token, and edits and deletes it", async () => {
    const created = await call<Record<string, unknown>>("POST", "/api/mcp-servers", crm, token);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "crm", url: crm.url, allowedTools: ["find_contact"], hasToken: true });
    expect(JSON.stringify(created.body)).not.toContain(crm.token);
    const stored = await env.DB.prepare("SELECT token FROM mcp_servers WHERE name = 'crm'").first<{ token: string }>();
    expect(stored!.token).toMatch(/^enc:v2:/);
    expect(stored!.token).not.toContain(crm.token);

    const listed = await call<{ mcpServers: Record<string, unknown>[] }>("GET", "/api/mcp-servers", undefined, token);
    expect(JSON.stringify(listed.body)).not.toContain("mcp-bearer");
    expect(listed.body.mcpServers.map((s) => s.name)).toContain("crm");

    expect((await call("POST", "/api/mcp-servers", crm, token)).status).toBe(409);
    const id = String(created.body.id);
    // A PUT without a token keeps the sealed one.
    const edited = await call<Record<string, unknown>>("PUT", `/api/mcp-servers/${id}`, { name: "crm", url: "https://crm2.example.com/mcp" }, token);
    expect(edited.body).toMatchObject({ url: "https://crm2.example.com/mcp", hasToken: true, allowedTools: null });
    expect((await call("DELETE", `/api/mcp-servers/${id}`, undefined, token)).status).toBe(200);
    expect((await call("DELETE", `/api/mcp-servers/${id}`, undefined, token)).status).toBe(404);
  });

  it.each([
    [{ ...crm, name: "other", url: "http://crm.example.com/mcp" }, "https"],
    [{ ...crm, name: "Bad Name" }, "name"],
    [{ ...crm, name: "extra", headers: { x: "y" } }, "headers"],
  ])("refuses %j", async (body, word) => {
    const res = await call("POST", "/api/mcp-servers", body, token);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain(word);
  });

  it("needs an admin token", async () => {
    expect((await call("GET", "/api/mcp-servers")).status).toBe(401);
  });
});

describe("which turns reach a server", () => {
  it("gives a channel only the servers its settings name, never to public senders", async () => {
    await call("POST", "/api/mcp-servers", { ...crm, name: "crm-b" }, token);
    await call("POST", "/api/mcp-servers", { name: "wiki-b", url: "https://wiki.example.com/mcp" }, token);
    const db = openDb(env.DB);
    const box = await keyringFor(env);
    const channelA = agentSettingsSchema.parse({ mcpServers: ["crm-b"] });
    const channelB = agentSettingsSchema.parse({ mcpServers: ["wiki-b"] });
    const a = await mcpGrants(db, box, channelA.mcpServers, "paired");
    expect(a.grants).toEqual([{ name: "crm-b", url: crm.url, token: crm.token, allowedTools: ["find_contact"] }]);
    const b = await mcpGrants(db, box, channelB.mcpServers, "admin");
    expect(b.grants).toEqual([{ name: "wiki-b", url: "https://wiki.example.com/mcp" }]);
    expect((await mcpGrants(db, box, undefined, "admin")).grants).toEqual([]);
    expect((await mcpGrants(db, box, channelA.mcpServers, "public")).grants).toEqual([]);
    // Without the master key the sealed token cannot be opened: the server is left out, not the turn failed.
    expect(await mcpGrants(db, null, channelA.mcpServers, "paired")).toEqual({ grants: [], skipped: ["crm-b"] });
  });
});

describe("servers for scheduled jobs", () => {
  it("gives a job step the servers it names, tokens opened, and the other steps none", async () => {
    await call("POST", "/api/mcp-servers", { ...crm, name: "crm-job" }, token);
    const fake = scriptedRuntime(["looked it up", "summed up"]);
    vi.spyOn(schedulerAgent, "runtime").mockReturnValue(fake.runtime);
    const created = await call<{ job: { id: string; steps: unknown[] } }>(
      "POST",
      "/api/jobs",
      { name: "crm digest", cron: "0 9 * * *", steps: [{ prompt: "Find new contacts", mcpServers: ["crm-job"] }, { prompt: "Summarise" }] },
      token,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.job.steps[0]).toEqual({ prompt: "Find new contacts", mcpServers: ["crm-job"] });
    expect((await call("POST", `/api/jobs/${created.body.job.id}/run`, undefined, token)).status).toBe(202);
    await eventually(async () => fake.requests.length === 2);
    expect(fake.requests[0]!.mcpServers).toEqual([{ name: "crm-job", url: crm.url, token: crm.token, allowedTools: ["find_contact"] }]);
    expect(fake.requests[1]!.mcpServers).toBeUndefined();
  });

  it("refuses a step naming a server with a name no server can have", async () => {
    const res = await call("POST", "/api/jobs", { name: "bad", cron: "0 9 * * *", steps: [{ prompt: "x", mcpServers: ["Not A Name"] }] }, token);
    expect(res.status).toBe(400);
  });
});
