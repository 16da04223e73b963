/**
 * The dashboard in a real headless Chromium against `npm start`: setup from the printed link,
 * login, logout and session expiry, a webhook channel created from its generated form, a signed
 * inbound message on the live feed (and the feed surviving a dropped connection without
 * duplicate rows), approving the pairing it started, the playground answering, a loop task
 * created and stopped, and every screen at phone width. Screenshots: test-results/screenshots/.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshot } from "../support/browser";
import { type FeedSwitch, logIn as logInAs, openDashboardPage, openScreen, screenshotFailures } from "../support/dashboard-page";
import { apiClient, printedSetupLink, removeState, startGateway, waitFor, type GatewayProcess } from "../support/gateway-process";
import { startReceiver } from "../support/http-receiver";
import { postWebhook } from "../support/signed-webhook";

const PORT = 8800;
const USERNAME = "admin";
const PASSWORD = "dashboard e2e password";

let gw: GatewayProcess;
let browser: Browser;
let page: Page;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let feed: FeedSwitch;
let pageErrors: string[];
const channel = { id: "", inboundUrl: "", secret: "" };

const nav = (title: string) => openScreen(page, title);
const logIn = () => logInAs(page, USERNAME, PASSWORD);

async function sessionToken(): Promise<string> {
  return page.evaluate(() => (JSON.parse(localStorage.getItem("loopgate.session") ?? "{}") as { token: string }).token);
}

beforeAll(async () => {
  receiver = await startReceiver();
  [gw, browser] = await Promise.all([startGateway({ port: PORT, printedSetupToken: true }), launchBrowser()]);
  ({ page, pageErrors, feed } = await openDashboardPage(browser, { width: 1280, height: 860 }));
});

afterAll(async () => {
  await browser?.close();
  await gw?.stop();
  await receiver?.close();
  if (gw) removeState(gw.stateDir);
});

screenshotFailures(() => page, "failed-");

describe("dashboard", () => {
  it("creates the first admin from the #setup link that npm start prints", async () => {
    // The link exactly as npm start printed it, on this gateway's port.
    const link = new URL(printedSetupLink(gw.output())!);
    expect(link.port).toBe(String(gw.port));
    await page.goto(`${gw.url}/${link.hash}`);
    const form = page.getByRole("form", { name: "Create the first admin" });
    await form.waitFor();
    expect(await form.getByLabel("Setup token").inputValue()).toBe(gw.setupToken);
    expect(new URL(page.url()).hash).toBe("");
    await form.getByLabel("Username").fill(USERNAME);
    await form.getByLabel("Password").fill(PASSWORD);
    await screenshot(page, "01-setup");
    await form.getByRole("button", { name: "Create admin" }).click();
    await page.getByRole("heading", { level: 1, name: "Activity" }).waitFor();
    await page.locator('[data-state="live"]').waitFor();
    await screenshot(page, "02-activity-empty");
  });

  it("logs out, logs in, and returns to login when the session is revoked", async () => {
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByText("You are logged out.").waitFor();
    // The token is revoked server side, not only forgotten by the page.
    expect(await page.evaluate(() => localStorage.getItem("loopgate.session"))).toBeNull();
    await screenshot(page, "03-login");
    await logIn();

    const token = await sessionToken();
    expect((await apiClient(gw.url, token)("GET", "/api/auth/me")).status).toBe(200);
    expect((await apiClient(gw.url, token)("POST", "/api/auth/logout")).status).toBe(200);
    expect((await apiClient(gw.url, token)("GET", "/api/auth/me")).status).toBe(401);
    await nav("Channels").catch(() => undefined);
    await page.getByText("Your session has expired. Please log in again.").waitFor();
    await screenshot(page, "04-session-expired");
    await logIn();
    await page.getByRole("heading", { level: 1, name: "Channels" }).waitFor();
  });

  it("creates a webhook channel from the form generated from its schema and shows the secret once", async () => {
    await nav("Channels");
    await page.getByRole("button", { name: "Add channel" }).click();
    await page.getByLabel("Type").selectOption("webhook");
    const form = page.getByRole("form", { name: "New webhook channel" });
    await form.getByLabel("Name").fill("Orders bot");
    await form.getByLabel("Callback URL").fill(`${receiver.url}/replies`);
    // Anchored: "Previous signing secret" would match too, and a locator must name one field.
    expect(await form.getByLabel(/^Signing secret/).getAttribute("type")).toBe("password");
    expect(await form.getByLabel("Who may talk").inputValue()).toBe("pairing");
    await screenshot(page, "05-channel-form");
    await form.getByRole("button", { name: "Create channel" }).click();

    const created = page.getByRole("region", { name: "Channel created" });
    await created.getByText("Orders bot is set up; waiting for its first message").waitFor();
    channel.inboundUrl = (await created.locator("code").first().textContent()) ?? "";
    channel.secret = (await created.locator('[data-secret="secret"] code').textContent()) ?? "";
    channel.id = channel.inboundUrl.split("/hooks/")[1] ?? "";
    expect(channel.inboundUrl).toBe(`http://localhost:${PORT}/hooks/${channel.id}`);
    expect(channel.secret.length).toBeGreaterThanOrEqual(16);
    await screenshot(page, "06-channel-created");

    const api = apiClient(gw.url, await sessionToken());
    const stored = await api<{ channel: { type: string; policy: string; config: Record<string, unknown> } }>("GET", `/api/channels/${channel.id}`);
    expect(stored.body.channel).toMatchObject({ type: "webhook", policy: "pairing", config: { secret: "[hidden]", callbackUrl: `${receiver.url}/replies` } });

    await created.getByRole("button", { name: "Done" }).click();
    await page.getByRole("list", { name: "Channels" }).getByRole("button", { name: "Orders bot" }).click();
    await page.getByRole("button", { name: "Run setup" }).click();
    await page.getByText("Setup done").waitFor();
    // The generated secret is never shown again.
    expect(await page.content()).not.toContain(channel.secret);
    await screenshot(page, "07-channel-detail");
  });

  it("shows an inbound signed webhook message on the live feed", async () => {
    await nav("Activity");
    await page.locator('[data-state="live"]').waitFor();
    const sentAt = Date.now();
    const res = await postWebhook(channel.inboundUrl, channel.secret, {
      messageId: "m-1",
      sender: { id: "alice", name: "Alice" },
      text: "Hello from the webhook",
    });
    expect(res.status).toBe(200);
    await page.locator('.event[data-kind="message.received"]', { hasText: "Hello from the webhook" }).waitFor();
    const latencyMs = Date.now() - sentAt;
    console.log(`live feed: inbound webhook → row on screen in ${latencyMs} ms`);
    expect(latencyMs).toBeLessThan(3000);
    await page.locator('.event[data-kind="pairing.requested"]').waitFor();
    await screenshot(page, "08-activity-feed");

    await page.getByLabel("Kind").selectOption("pairing.requested");
    expect(await page.locator(".event").count()).toBe(await page.locator('.event[data-kind="pairing.requested"]').count());
    await page.getByLabel("Channel").selectOption(channel.id);
    expect(await page.locator(".event").count()).toBeGreaterThan(0);
    await page.getByLabel("Kind").selectOption("");
    await page.getByLabel("Channel").selectOption("");
  });

  it("reconnects after the feed connection drops, catching up on what it missed, without duplicate rows", async () => {
    const before = await page.locator(".event").count();
    const connections = feed.sockets.length;
    feed.down = true;
    await feed.sockets.at(-1)!.close({ code: 1001, reason: "network dropped" });
    await page.locator('[data-state="waiting"]').waitFor();
    await screenshot(page, "09-feed-reconnecting");

    // Happens while the dashboard is disconnected: it must show up after the reconnect anyway.
    await postWebhook(channel.inboundUrl, channel.secret, { messageId: "m-2", sender: { id: "bob", name: "Bob" }, text: "While you were away" });
    feed.down = false;
    await waitFor(async () => feed.sockets.length > connections, 30_000, "the feed to reconnect");
    await page.locator('[data-state="live"]').waitFor();
    await page.locator('.event[data-kind="message.received"]', { hasText: "While you were away" }).waitFor();
    expect(await page.locator(".event").count()).toBeGreaterThan(before);

    await postWebhook(channel.inboundUrl, channel.secret, { messageId: "m-3", sender: { id: "carol", name: "Carol" }, text: "After the reconnect" });
    await page.locator('.event[data-kind="message.received"]', { hasText: "After the reconnect" }).waitFor();
    // The backlog fetched on reconnect overlaps what was on screen; nothing may appear twice.
    const ids = await page.locator(".event").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-event-id")));
    expect(new Set(ids).size).toBe(ids.length);
    expect(await page.locator('.event[data-kind="message.received"]', { hasText: "Hello from the webhook" }).count()).toBe(1);
  });

  it("approves a pending pairing, after which the sender gets answers", async () => {
    const api = apiClient(gw.url, await sessionToken());
    const pending = await api<{ pairings: { code: string; senderId: string }[] }>("GET", "/api/pairings?status=pending");
    const alice = pending.body.pairings.find((p) => p.senderId === "alice");
    expect(alice).toBeDefined();

    await nav("Pairings");
    const row = page.locator(`[data-code="${alice!.code}"]`);
    await row.getByText("Alice", { exact: true }).waitFor();
    await screenshot(page, "10-pairings");
    await row.getByRole("button", { name: "Approve" }).click();
    await row.waitFor({ state: "detached" });
    await page.getByRole("list", { name: "Paired senders" }).locator('[data-sender="alice"] .badge').getByText("paired", { exact: true }).waitFor();

    const senders = await api<{ senders: { senderId: string; status: string }[] }>("GET", `/api/senders?channelId=${channel.id}`);
    expect(senders.body.senders).toContainEqual(expect.objectContaining({ senderId: "alice", status: "paired" }));

    await postWebhook(channel.inboundUrl, channel.secret, { messageId: "m-4", sender: { id: "alice", name: "Alice" }, text: "Now that I am paired" });
    await waitFor(async () => receiver.received.some((r) => r.body.includes("You said: Now that I am paired")), 20_000, "the agent's reply to alice");

    await page.getByRole("button", { name: "Mint invite code" }).click();
    await page.getByText(/The sender sends "\/pair [A-Z0-9]{6}"/).waitFor();
    await screenshot(page, "11-pairings-approved");
  });

  it("answers in the playground through the web chat channel", async () => {
    await nav("Playground");
    await page.getByPlaceholder("Message the agent").fill("What can you do?");
    await page.getByRole("button", { name: "Send" }).click();
    await page.locator('.bubble[data-from="agent"]', { hasText: "You said: What can you do?" }).waitFor({ timeout: 40_000 });
    await screenshot(page, "12-playground");
  });

  it("shows conversations with the agent's replies and run details", async () => {
    await nav("Conversations");
    await page.getByRole("list", { name: "Sessions" }).getByRole("button", { name: "Alice" }).click();
    const history = page.getByRole("region", { name: "Messages" });
    await history.locator('.bubble[data-direction="in"]', { hasText: "Now that I am paired" }).waitFor();
    const reply = history.locator('.bubble[data-direction="out"]', { hasText: "You said: Now that I am paired" });
    await reply.getByText(/offline-echo · \d+ in \/ \d+ out · \$0\.00 · \d+ ms/).waitFor();
    await screenshot(page, "13-conversations");
  });

  it("shows health: uptime, version and the offline echo model", async () => {
    await nav("Health");
    await page.locator('[data-mode="offline-echo"]').waitFor();
    await page.getByText("0.1.0").waitFor();
    await screenshot(page, "14-health");
  });

  it("creates a loop task, shows its iterations, and stops it", async () => {
    await nav("Loop tasks");
    await page.getByRole("button", { name: "New task" }).click();
    const form = page.getByRole("form", { name: "New loop task" });
    await form.getByLabel("Name").fill("Summarise the inbox");
    await form.getByLabel("Prompt").fill("Keep refining the summary.");
    await form.getByLabel("Max iterations per run").fill("500");
    // The echo model repeats itself, which would end the task as "no progress" before the stop.
    await form.getByLabel("Stop after iterations without progress").fill("100");
    await form.getByRole("button", { name: "Start task" }).click();

    const row = page.locator('[data-task="Summarise the inbox"]');
    await row.and(page.locator('[data-status="running"]')).waitFor();
    await row.getByRole("button", { name: "Summarise the inbox" }).click();
    // The offline echo model answers each iteration; at least one is recorded before the stop.
    await row
      .getByLabel("Task output")
      .getByText(/#1 ok · offline-echo/)
      .waitFor({ timeout: 30_000 });
    await screenshot(page, "15-loop-task-running");
    await row.getByRole("button", { name: "Stop" }).click();
    await row.and(page.locator('[data-status="stopped"]')).waitFor();
    await row.getByText("ended: stopped").waitFor();

    const api = apiClient(gw.url, await sessionToken());
    const tasks = await api<{ tasks: { name: string; status: string; iterations: number }[] }>("GET", "/api/tasks");
    const task = tasks.body.tasks.find((t) => t.name === "Summarise the inbox");
    expect(task?.status).toBe("stopped");
    expect(task!.iterations).toBeGreaterThanOrEqual(1);
    expect(task!.iterations).toBeLessThan(500);
    await screenshot(page, "16-loop-task-stopped");
  });

  it("fits a 360 px phone screen on every page", async () => {
    await page.setViewportSize({ width: 360, height: 760 });
    // A tab's text may end with a count (people waiting on Pairings), which is not part of its name.
    const titles = (await page.getByRole("navigation", { name: "Main" }).getByRole("link").allTextContents()).map((t) => t.replace(/\d+$/, ""));
    expect(titles.length).toBeGreaterThanOrEqual(6);
    for (const [i, title] of titles.entries()) {
      await nav(title);
      await page.getByText("Loading…").waitFor({ state: "detached" });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${title} overflows by ${overflow}px`).toBeLessThanOrEqual(0);
      await screenshot(page, `phone-${String(i).padStart(2, "0")}-${title.toLowerCase().replace(/\W+/g, "-")}`);
    }
    expect(pageErrors).toEqual([]);
  });
});
