/**
 * Dashboard truths in headless Chromium against `npm start`: a Telegram channel created
 * through the API (the dashboard would run its setup at once) reads "setup not run", with what
 * to do, until its setup has run, instead of "ok"; a webhook channel reads "waiting for first
 * event" (setup cannot do the integrator's part) until a signed request arrives; and admin actions in the Activity screen name
 * the channel and the job they changed ("renamed channel …", "paused scheduled job …"), never
 * their ids, and open them. Screenshots: test-results/screenshots/admin-names-*.png.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshot } from "../support/browser";
import { logIn, openDashboardPage, openScreen, screenshotFailures } from "../support/dashboard-page";
import { apiClient, removeState, setupAdmin, startGateway, type GatewayProcess } from "../support/gateway-process";
import { serveFake } from "../fakes/http-fake-server";
import { createTelegramFake } from "../../src/channels/telegram/fake-bot-api";
import { postWebhook } from "../support/signed-webhook";

const PORT = 10551;
const BOT_TOKEN = "246813579:AAHadminNamesE2eTokenForLoopgate00";
const USERNAME = "admin";
const PASSWORD = "dashboard admin names e2e password";

let gw: GatewayProcess;
let api: ReturnType<typeof apiClient>;
let browser: Browser;
let page: Page;
let pageErrors: string[];
let telegram: Awaited<ReturnType<typeof serveFake>>;
const telegramFake = createTelegramFake({ token: BOT_TOKEN });

beforeAll(async () => {
  telegram = await serveFake((request) => telegramFake.handle(request));
  [gw, browser] = await Promise.all([startGateway({ port: PORT, env: { API_RATE_LIMIT_PER_MINUTE: "100000" } }), launchBrowser()]);
  api = (await setupAdmin(gw, USERNAME, PASSWORD)).api;
  ({ page, pageErrors } = await openDashboardPage(browser, { width: 1280, height: 860 }));
  await page.goto(gw.url);
  await logIn(page, USERNAME, PASSWORD);
});

afterAll(async () => {
  await browser?.close();
  await gw?.stop();
  await telegram?.close();
  if (gw) removeState(gw.stateDir);
});

screenshotFailures(() => page, "failed-admin-names-");

describe("dashboard: setup that has not run, and admin actions by name", () => {
  it("says a channel created through the API has not run its setup, until it has", async () => {
    const created = await api<{ channel: { id: string; status: string } }>("POST", "/api/channels", {
      type: "telegram",
      name: "Family",
      policy: "open",
      config: { botToken: BOT_TOKEN, apiBase: telegram.url },
    });
    expect(created.status).toBe(201);
    expect(created.body.channel.status).toBe("setup_pending");

    await openScreen(page, "Channels");
    const row = page.getByRole("list", { name: "Channels" }).locator(`[data-channel-id="${created.body.channel.id}"]`);
    await row.getByText("setup not run").waitFor();
    expect(await row.getAttribute("data-tone")).toBe("warn");
    await row.getByRole("button", { name: "Family" }).click();
    const detail = page.locator(`[aria-label="Channel Family"]`);
    await detail.locator("[data-setup-pending]").getByText("Setup has not run").waitFor();
    expect(await detail.getByRole("heading", { level: 2 }).textContent()).not.toContain("ok");
    await screenshot(page, "admin-names-1-setup-not-run");

    await detail.getByRole("button", { name: "Run setup" }).click();
    await row.getByText("ok", { exact: true }).waitFor({ timeout: 20_000 });
    expect(await detail.locator("[data-setup-pending]").count()).toBe(0);
    expect(telegramFake.state.webhook?.url).toContain(`/hooks/${created.body.channel.id}`);
  });

  it("names the channel and the job an admin changed in the Activity screen, and opens them", async () => {
    const channels = await api<{ channels: { id: string; name: string }[] }>("GET", "/api/channels");
    const family = channels.body.channels.find((c) => c.name === "Family")!;
    expect((await api("PUT", `/api/channels/${family.id}`, { name: "Family Telegram" })).status).toBe(200);
    const job = await api<{ job: { id: string } }>("POST", "/api/jobs", { name: "Morning brief", cron: "0 7 * * *", steps: [{ prompt: "Brief me" }] });
    expect(job.status).toBe(201);
    expect((await api("POST", `/api/jobs/${job.body.job.id}/pause`, {})).status).toBe(200);

    await openScreen(page, "Activity");
    const admin = page.locator('.event[data-kind="admin.action"]');
    const renamed = admin.filter({ hasText: "admin renamed channel Family to Family Telegram" });
    const paused = admin.filter({ hasText: "admin paused scheduled job Morning brief" });
    await renamed.waitFor({ timeout: 20_000 });
    await paused.waitFor({ timeout: 20_000 });
    await admin.filter({ hasText: "admin created a channel named Family" }).waitFor();
    await admin.filter({ hasText: "admin ran setup of channel Family" }).first().waitFor();
    // Names, not ids, in every admin sentence.
    for (const text of await admin.locator(".what").allTextContents()) {
      expect(text).not.toContain(family.id);
      expect(text).not.toContain(job.body.job.id);
    }
    await screenshot(page, "admin-names-2-activity");

    await renamed.getByRole("link", { name: "Open" }).click();
    await page.getByRole("heading", { level: 1, name: "Channels" }).waitFor();
    await page.locator(`[aria-label="Channel Family Telegram"]`).waitFor();

    await openScreen(page, "Activity");
    await paused.getByRole("link", { name: "Open" }).click();
    await page.getByRole("heading", { level: 1, name: "Scheduled jobs" }).waitFor();
    const jobRow = page.locator('[data-job="Morning brief"]');
    expect(await jobRow.getByRole("button", { name: "Morning brief" }).getAttribute("aria-expanded")).toBe("true");
    expect(pageErrors).toEqual([]);
  });

  it("says a webhook channel waits for its first request, setup or not, until a signed one arrives", async () => {
    const created = await api<{ channel: { id: string; status: string; inboundUrl: string }; generatedSecrets: { secret: string } }>("POST", "/api/channels", {
      type: "webhook",
      name: "Orders",
      policy: "open",
      config: { callbackUrl: "http://127.0.0.1:9/replies" },
    });
    expect(created.status).toBe(201);
    expect(created.body.channel.status).toBe("awaiting_event");

    await page.reload();
    await openScreen(page, "Channels");
    const row = page.getByRole("list", { name: "Channels" }).locator(`[data-channel-id="${created.body.channel.id}"]`);
    await row.getByText("waiting for first event").waitFor();
    expect(await row.getAttribute("data-tone")).toBe("warn");
    await row.getByRole("button", { name: "Orders" }).click();
    const detail = page.locator(`[aria-label="Channel Orders"]`);
    await detail.locator("[data-awaiting-event]").getByText("Nothing has arrived from the platform yet").waitFor();
    // Setup lists what the integrator does; it does not make the channel "ok".
    await detail.getByRole("button", { name: "Run setup" }).click();
    await detail.getByText("Setup done").waitFor();
    await row.getByText("waiting for first event").waitFor();
    await screenshot(page, "admin-names-3-waiting-for-first-event");

    expect(
      (await postWebhook(created.body.channel.inboundUrl, created.body.generatedSecrets.secret, { messageId: "m-1", sender: { id: "u-1" }, text: "hi" }))
        .status,
    ).toBe(200);
    await page.reload();
    await openScreen(page, "Channels");
    await row.getByText("ok", { exact: true }).waitFor({ timeout: 20_000 });
    expect(await page.locator("[data-awaiting-event]").count()).toBe(0);
  });
});
