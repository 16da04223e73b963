/**
 * MCP servers and the agent's notes as an admin handles them, against `npm start` with the real
 * Anthropic SDK pointed at the fake Messages API: `loopgate mcp add|list|remove` (the token
 * piped in, sealed, never printed back); the MCP servers screen in headless Chromium (add with a
 * token, tick a channel, edit keeping the token, delete), with the next turn's request carrying
 * exactly the ticked server; and on the Conversations screen the notes the agent saved, edited
 * and deleted, then the sender deleted with its notes. Screenshots: test-results/screenshots/mcp-*.png.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-messages";
import { launchBrowser, screenshot } from "../support/browser";
import { cliRunner } from "../support/cli-runner";
import { logIn, openDashboardPage, openScreen, screenshotFailures } from "../support/dashboard-page";
import { apiClient, removeState, setupAdmin, startGateway, waitFor, type GatewayProcess } from "../support/gateway-process";

const PORT = 9950;
const KEY = "sk-ant-mcp-notes-e2e-51c0";
const USERNAME = "admin";
const PASSWORD = "mcp and notes e2e password";
const CLI_TOKEN = "cli-mcp-bearer-7f3a9";
const UI_TOKEN = "ui-mcp-bearer-c41e2";
const SESSION = `web:admin:${USERNAME}`;

let fake: FakeAnthropic;
let gw: GatewayProcess;
let api: ReturnType<typeof apiClient>;
let token: string;
let browser: Browser;
let page: Page;
let pageErrors: string[];
const configHome = mkdtempSync(join(tmpdir(), "loopgate-mcp-cli-"));

type Json = Record<string, unknown>;
type Note = { id: number; text: string };

beforeAll(async () => {
  fake = await startFakeAnthropic({ apiKey: KEY });
  [gw, browser] = await Promise.all([
    startGateway({ port: PORT, env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url, API_RATE_LIMIT_PER_MINUTE: "100000" } }),
    launchBrowser(),
  ]);
  ({ api, token } = await setupAdmin(gw, USERNAME, PASSWORD));
  ({ page, pageErrors } = await openDashboardPage(browser, { width: 1280, height: 900 }));
  await page.goto(gw.url);
  await logIn(page, USERNAME, PASSWORD);
});

afterAll(async () => {
  await browser?.close();
  await gw?.stop();
  await fake?.close();
  if (gw) removeState(gw.stateDir);
  rmSync(configHome, { recursive: true, force: true });
});

screenshotFailures(() => page, "mcp-failed-");

/** The request's context block (the system part the gateway writes each turn: tier, tools, notes). */
function contextBlock(body: Json): string {
  const system = body.system as { text: string }[];
  return system.map((b) => b.text).find((t) => t.startsWith("Conversation context")) ?? "";
}

/** Sends a playground message through the API and waits for the agent's reply. */
async function chat(text: string): Promise<string> {
  const res = await api<{ status: string; reply: string }>("POST", "/api/chat?wait=30", { text });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.reply;
}

describe("MCP servers from the CLI", () => {
  it("adds a server with its token from stdin, lists it without the token, and removes it by name", async () => {
    const { cli, cliJson } = cliRunner(configHome, { LOOPGATE_URL: gw.url, LOOPGATE_TOKEN: token });
    const added = await cli(["mcp", "add", "crm", "https://crm.example.com/mcp", "--tool", "find_contact,add_note", "--token-stdin"], {
      input: `${CLI_TOKEN}\n`,
    });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/registered:\s+crm \(mcp_/);
    expect(added.stdout).toMatch(/token:\s+set \(sealed\)/);
    expect(added.stdout + added.stderr).not.toContain(CLI_TOKEN);

    const listed = await cli(["mcp", "list"]);
    expect(listed.stdout).toMatch(/crm\s+https:\/\/crm\.example\.com\/mcp\s+set\s+find_contact, add_note/);
    const { mcpServers } = await cliJson<{ mcpServers: Json[] }>(["mcp", "list"]);
    expect(mcpServers).toEqual([expect.objectContaining({ name: "crm", hasToken: true, allowedTools: ["find_contact", "add_note"] })]);
    expect(JSON.stringify(mcpServers)).not.toContain(CLI_TOKEN);

    const refused = await cli(["mcp", "add", "plain", "http://crm.example.com/mcp"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/https/);

    const removed = await cli(["mcp", "remove", "crm"]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/Deleted MCP server crm/);
    expect((await cliJson<{ mcpServers: Json[] }>(["mcp", "list"])).mcpServers).toEqual([]);
    const missing = await cli(["mcp", "remove", "crm"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no MCP server with id or name "crm"/);
  });
});

describe("MCP servers on the dashboard", () => {
  it("adds a server with a write-only token, gives it to the web chat, edits it keeping the token, and deletes it", async () => {
    await chat("hello before any server");
    await openScreen(page, "MCP servers");
    await page.getByRole("button", { name: "New MCP server" }).click();
    const form = page.getByRole("form", { name: "New MCP server" });
    await form.getByLabel("Name").fill("wiki");
    await form.getByLabel("URL").fill("https://wiki.example.com/mcp");
    await form.getByLabel("Token").fill(UI_TOKEN);
    await form.getByLabel("Allowed tools").fill("search_pages");
    await form.getByRole("button", { name: "Add server" }).click();
    const row = page.locator('[data-mcp-server="wiki"]');
    await row.getByText("token set").waitFor();
    await row.getByText("tools: search_pages").waitFor();
    expect(await page.content()).not.toContain(UI_TOKEN);

    // Tick the web chat: its next turn carries the server, token included, to the connector.
    await row.getByLabel("Web chat").check();
    await waitFor(
      async () => {
        const channels = await api<{ channels: { id: string; agent: { mcpServers?: string[] } | null }[] }>("GET", "/api/channels");
        return channels.body.channels.find((c) => c.id === "web")?.agent?.mcpServers?.includes("wiki") === true;
      },
      10_000,
      "the web chat to be given the wiki server",
    );
    await screenshot(page, "mcp-01-servers");
    const before = fake.requests.length;
    await chat("what is on the wiki?");
    const turn = fake.requests.slice(before).find((r) => r.status === 200)!;
    expect(turn.body.mcp_servers).toEqual([
      {
        type: "url",
        url: "https://wiki.example.com/mcp",
        name: "wiki",
        authorization_token: UI_TOKEN,
        tool_configuration: { enabled: true, allowed_tools: ["search_pages"] },
      },
    ]);

    // Editing without typing a token keeps the sealed one.
    await row.getByRole("button", { name: "Edit" }).click();
    const edit = page.getByRole("form", { name: "Edit wiki" });
    expect(await edit.locator('input[name="token"]').inputValue()).toBe("");
    await edit.getByLabel("URL").fill("https://wiki2.example.com/mcp");
    await edit.getByRole("button", { name: "Save" }).click();
    await row.getByText("https://wiki2.example.com/mcp").waitFor();
    await row.getByText("token set").waitFor();
    const servers = await api<{ mcpServers: { name: string; hasToken: boolean; url: string }[] }>("GET", "/api/mcp-servers");
    expect(servers.body.mcpServers).toEqual([expect.objectContaining({ name: "wiki", hasToken: true, url: "https://wiki2.example.com/mcp" })]);

    // Unticking takes it away again.
    await row.getByLabel("Web chat").uncheck();
    await waitFor(
      async () => {
        const channels = await api<{ channels: { id: string; agent: Json | null }[] }>("GET", "/api/channels");
        return channels.body.channels.find((c) => c.id === "web")?.agent === null;
      },
      10_000,
      "the web chat to lose the wiki server",
    );
    await row.getByRole("button", { name: "Delete" }).click();
    await row.getByRole("button", { name: "Delete server" }).click();
    await page.getByText("No MCP servers yet.").waitFor();
    expect(pageErrors).toEqual([]);
  });
});

describe("the agent's notes on the dashboard", () => {
  it("shows the notes the agent saved, edits and deletes them, then deletes the sender with its notes", async () => {
    await chat("remember that my sister is called Maria");
    await chat("remember that I live in Porto");
    const notes = async () => (await api<{ notes: Note[] }>("GET", `/api/sessions/${encodeURIComponent(SESSION)}/notes`)).body.notes;
    await waitFor(async () => (await notes()).length === 2, 10_000, "the agent's two notes");

    await openScreen(page, "Conversations");
    await page.getByRole("list", { name: "Sessions" }).locator(".row").first().getByRole("button").click();
    const card = page.getByRole("region", { name: "Notes" });
    const porto = card.locator(".row", { hasText: "I live in Porto" });
    await porto.waitFor();
    await card.locator(".row", { hasText: "my sister is called Maria" }).waitFor();

    await porto.getByRole("button", { name: "Edit" }).click();
    await card.getByLabel("Note", { exact: true }).fill("Lives in Lisbon since 2025");
    await card.getByRole("button", { name: "Save note" }).click();
    await card.locator(".row", { hasText: "Lives in Lisbon since 2025" }).waitFor();
    expect((await notes()).map((n) => n.text)).toEqual(["my sister is called Maria", "Lives in Lisbon since 2025"]);

    // The next turn's context block carries the corrected note.
    const before = fake.requests.length;
    await chat("where do I live?");
    const context = contextBlock(fake.requests.slice(before).find((r) => r.status === 200)!.body);
    expect(context).toContain("Lives in Lisbon since 2025");
    expect(context).not.toContain("I live in Porto");

    const maria = card.locator(".row", { hasText: "my sister is called Maria" });
    await maria.getByRole("button", { name: "Delete" }).click();
    await maria.getByRole("button", { name: "Delete note" }).click();
    await waitFor(async () => (await card.locator(".row").count()) === 1, 10_000, "one note left on screen");
    expect((await notes()).map((n) => n.text)).toEqual(["Lives in Lisbon since 2025"]);
    await screenshot(page, "mcp-02-notes");

    await page.getByRole("button", { name: "Delete sender" }).click();
    await page.getByRole("button", { name: "Delete history, notes and messages" }).click();
    await page.getByText("No conversations yet.").waitFor();
    expect((await api("GET", `/api/sessions/${encodeURIComponent(SESSION)}/notes`)).status).toBe(404);
    // A new message starts afresh: no note survives in the agent's context.
    const after = fake.requests.length;
    await chat("do you know me?");
    const fresh = fake.requests.slice(after).find((r) => r.status === 200)!.body;
    expect(contextBlock(fresh)).not.toContain("Lisbon");
    expect(JSON.stringify(fresh.messages)).not.toContain("Porto");
    expect((await notes()).length).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
