/**
 * Channel plugins end to end, as a user installs one: a scratch copy of this checkout with its
 * own node_modules (links to the shared packages, so the shared install is never touched) gets
 * the example package examples/loopgate-channel-zulip linked in as `npm install file:` does,
 * plus a deliberately broken plugin; `npm start` there must offer the Zulip type in the API and
 * the dashboard's form, answer a Zulip message through the fake Zulip server, keep working while
 * the broken plugin fails, and forget the type once the package is removed.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { execFileSync } from "node:child_process";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createZulipFake } from "../../examples/loopgate-channel-zulip/src/fake-zulip";
import { serveFake } from "../fakes/http-fake-server";
import { launchBrowser } from "../support/browser";
import { logIn, openDashboardPage, openScreen } from "../support/dashboard-page";
import { apiClient, type GatewayProcess, removeState, ROOT, setupAdmin, startGateway, waitFor } from "../support/gateway-process";

const PORT = 9450;
const BOT = { botEmail: "loopgate-bot@chat.example.org", apiKey: "zulip-api-key-0123456789", token: "xvOzfurIutdRRVLzpXrIIHXJvNfaJLJ0" };
const PASSWORD = "correct horse battery staple";
/** Top-level entries of the checkout a scratch copy leaves out: installs, state, results. */
const NOT_COPIED = new Set(["node_modules", ".git", ".wrangler", "test-results", ".dev.vars"]);

interface TypesBody {
  types: { type: string; plugin: boolean; secretFields: string[] }[];
  loadErrors: { source: string; error: string }[];
}

/** A copy of the checkout whose node_modules links every shared package (and no caches). */
function scratchCheckout(): string {
  const root = join(mkdtempSync(join(tmpdir(), "loopgate-plugin-")), "loopgate");
  cpSync(ROOT, root, { recursive: true, filter: (src) => !NOT_COPIED.has(relative(ROOT, src).split("/")[0] ?? "") });
  const shared = realpathSync(join(ROOT, "node_modules"));
  mkdirSync(join(root, "node_modules"));
  for (const name of readdirSync(shared)) if (!name.startsWith(".") || name === ".bin") symlinkSync(join(shared, name), join(root, "node_modules", name));
  return root;
}

/** What `npm install file:<dir>` leaves in node_modules: a link named after the package. */
function installPlugin(root: string, name: string, dir: string): void {
  symlinkSync(relative(join(root, "node_modules"), join(root, dir)), join(root, "node_modules", name));
}

describe("channel plugin packages end to end", () => {
  const fake = createZulipFake(BOT);
  let root = "";
  let fakeServer: Awaited<ReturnType<typeof serveFake>>;
  let gw: GatewayProcess | undefined;
  let browser: Browser | undefined;
  let stateDir = "";
  let token = "";
  let zulipChannelId = "";

  beforeAll(async () => {
    root = scratchCheckout();
    installPlugin(root, "loopgate-channel-zulip", "examples/loopgate-channel-zulip");
    installPlugin(root, "loopgate-channel-broken", "test/e2e/fixtures/loopgate-channel-broken");
    execFileSync(process.execPath, ["scripts/gen-channel-registry.mjs"], { cwd: root });
    fakeServer = await serveFake(fake.handle);
    gw = await startGateway({ port: PORT, root });
    stateDir = gw.stateDir;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await fakeServer?.close();
    if (stateDir) removeState(stateDir);
    if (root) rmSync(join(root, ".."), { recursive: true, force: true });
  });

  it("offers the installed plugin's type in the API and lists the broken module's load error", async () => {
    const { token: admin, api } = await setupAdmin(gw!, "admin", PASSWORD);
    token = admin;
    const { body } = await api<TypesBody>("GET", "/api/channels/types");
    expect(body.types.find((t) => t.type === "zulip")).toMatchObject({ plugin: true, secretFields: ["apiKey", "token"] });
    expect(body.types.find((t) => t.type === "telegram")).toMatchObject({ plugin: false });
    expect(body.loadErrors).toContainEqual({ source: "loopgate-channel-broken@1.0.0", error: "garbage: description must be a string" });
  });

  it("creates a Zulip channel from the dashboard's add-channel form", async () => {
    const { page, pageErrors } = await openDashboardPage(browser!, { width: 1280, height: 900 });
    await page.goto(gw!.url);
    await logIn(page, "admin", PASSWORD);
    await openScreen(page, "Channels");
    await page.getByRole("button", { name: "Add channel" }).click();
    await page.getByLabel("Type").selectOption("zulip");
    const form = page.getByRole("form", { name: "New zulip channel" });
    await form.getByLabel("Name").fill("Team Zulip");
    await form.getByLabel("Site").fill(fakeServer.url);
    await form.getByLabel("Bot email").fill(BOT.botEmail);
    await form.getByLabel("API key").fill(BOT.apiKey);
    await form.getByLabel("Token").fill(BOT.token);
    expect(await form.getByLabel("API key").getAttribute("type")).toBe("password");
    await form.getByLabel("Who may talk").selectOption("open");
    await form.getByRole("button", { name: "Create channel" }).click();
    const created = page.getByRole("region", { name: "Channel created" });
    // Set up, but this gateway is on 127.0.0.1, which a real Zulip server could not reach: the heading says so.
    await created.getByText("Team Zulip is set up, but the platform cannot reach this gateway yet").waitFor();
    const inboundUrl = (await created.locator("code").first().textContent()) ?? "";
    zulipChannelId = inboundUrl.split("/hooks/")[1] ?? "";
    expect(zulipChannelId).toMatch(/^ch_/);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it("answers a Zulip mention through Zulip's API, and keeps doing so while the broken plugin fails", async () => {
    const api = apiClient(gw!.url, token);
    const setup = await api<{ ok: boolean; steps: string[] }>("POST", `/api/channels/${zulipChannelId}/setup`, {});
    expect(setup.body.ok, JSON.stringify(setup.body)).toBe(true);
    const hook = `${gw!.url}/hooks/${zulipChannelId}`;

    const say = async (text: string, id: number) => {
      const res = await fake.deliver(hook, fake.outgoing(text, id));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ response_not_required: true });
      await waitFor(async () => fake.state.sent.some((m) => m.content.includes(`You said: ${text}`)), 30_000, `the reply to "${text}"`);
      return fake.state.sent.find((m) => m.content.includes(`You said: ${text}`))!;
    };
    expect(await say("what is 2 + 2?", 501)).toMatchObject({ type: "stream", to: "5", topic: "Verona2" });

    // A forged webhook (wrong token) is refused and answered by nobody.
    const forged = await fake.deliver(hook, { ...fake.outgoing("forged", 502), token: "wrong-token-wrong-token-wrong-tok" });
    expect(forged.status).toBe(401);

    const broken = await api<{ channel: { id: string } }>("POST", "/api/channels", { type: "broken", name: "Broken", policy: "open", config: {} });
    expect(broken.status).toBe(201);
    const brokenHook = await fetch(`${gw!.url}/hooks/${broken.body.channel.id}`, { method: "POST", body: "{}" });
    expect(brokenHook.status).toBe(503);
    expect(brokenHook.headers.get("retry-after")).toBe("60");
    const state = await api<{ channel: { status: string; lastError: string } }>("GET", `/api/channels/${broken.body.channel.id}`);
    expect(state.body.channel).toMatchObject({
      status: "error",
      lastError: "channel plugin loopgate-channel-broken@1.0.0 threw in verify: the broken plugin cannot read webhooks",
    });

    expect(await say("still there?", 503)).toMatchObject({ type: "stream" });
    expect((await api<{ channel: { status: string } }>("GET", `/api/channels/${zulipChannelId}`)).body.channel.status).toBe("ok");
  });

  it("forgets the type once the package is uninstalled and the registry regenerated", async () => {
    await gw!.stop();
    unlinkSync(join(root, "node_modules", "loopgate-channel-zulip"));
    execFileSync(process.execPath, ["scripts/gen-channel-registry.mjs"], { cwd: root });
    gw = await startGateway({ port: PORT, root, stateDir, env: { LOOPGATE_SETUP_TOKEN: gw!.setupToken } });
    const api = apiClient(gw.url, token);
    const { body } = await api<TypesBody>("GET", "/api/channels/types");
    expect(body.types.map((t) => t.type)).not.toContain("zulip");
    expect(body.types.map((t) => t.type)).toContain("broken");
    const hook = await fake.deliver(`${gw.url}/hooks/${zulipChannelId}`, fake.outgoing("anyone?", 504));
    expect(hook.status).toBe(404);
  });
});
