/**
 * The dashboard's usage, scheduled jobs and bridges screens in a real headless Chromium, against
 * `npm start` with the real Anthropic SDK pointed at the fake Messages API (so tokens and cost are
 * real figures): usage totals after playground messages match what the fake served; a job created
 * with its next runs previewed as the cron expression is typed (a bad field marked inline), run
 * now, its run in the history; a bridge token minted and shown once, a real bridge process started
 * with it, its channels' states on the Channels and Bridges screens, and Health counting it up and
 * then down. Every new screen at 360 px without sideways scrolling. Screenshots:
 * test-results/screenshots/more-*.png.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-messages";
import { startFakeSignalCli } from "../../bridge/src/channels/signal/fake-signal-cli";
import { startBridge, type BridgeProcess } from "../support/bridge-process";
import { launchBrowser, screenshot } from "../support/browser";
import { type FeedSwitch, logIn, openDashboardPage, openScreen, screenshotFailures } from "../support/dashboard-page";
import { apiClient, removeState, setupAdmin, startGateway, waitFor, type GatewayProcess } from "../support/gateway-process";

const PORT = 8980;
const KEY = "sk-ant-dashboard-e2e-7d1f";
const USERNAME = "admin";
const PASSWORD = "dashboard more e2e password";
const SIGNAL_ACCOUNT = "+15550000042";

let fake: FakeAnthropic;
let signal: Awaited<ReturnType<typeof startFakeSignalCli>>;
let gw: GatewayProcess;
let api: ReturnType<typeof apiClient>;
let browser: Browser;
let page: Page;
let bridge: BridgeProcess | undefined;
const bridgeData = mkdtempSync(join(tmpdir(), "loopgate-dash-bridge-"));
let pageErrors: string[];
let feed: FeedSwitch;

const nav = (title: string) => openScreen(page, title);

async function noSidewaysScroll(what: string) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${what} overflows by ${overflow}px`).toBeLessThanOrEqual(0);
}

beforeAll(async () => {
  [fake, signal] = await Promise.all([startFakeAnthropic({ apiKey: KEY, minCacheableTokens: 256 }), startFakeSignalCli(SIGNAL_ACCOUNT)]);
  [gw, browser] = await Promise.all([
    startGateway({ port: PORT, env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url, AGENT_RETRY_BASE_MS: "50", API_RATE_LIMIT_PER_MINUTE: "100000" } }),
    launchBrowser(),
  ]);
  api = (await setupAdmin(gw, USERNAME, PASSWORD)).api;
  ({ page, pageErrors, feed } = await openDashboardPage(browser, { width: 1280, height: 900 }));
  await page.goto(gw.url);
  await logIn(page, USERNAME, PASSWORD);
});

afterAll(async () => {
  await bridge?.kill();
  await browser?.close();
  await gw?.stop();
  await Promise.all([fake?.close(), signal?.close()]);
  if (gw) removeState(gw.stateDir);
  removeState(bridgeData);
});

screenshotFailures(() => page, "failed-more-");

describe("dashboard: usage, scheduled jobs, bridges", () => {
  it("shows usage totals, charts and budgets that match what the model served", async () => {
    await nav("Playground");
    for (const text of ["Plan a vegetable garden", "Which vegetables like shade?", "When do I plant garlic?"]) {
      await page.getByPlaceholder("Message the agent").fill(text);
      await page.getByRole("button", { name: "Send" }).click();
      await page.locator('.bubble[data-from="agent"]', { hasText: `you said "${text}"` }).waitFor({ timeout: 40_000 });
    }
    const served = fake.requests.filter((r) => r.status === 200);
    expect(served.length).toBe(3);
    const usage = await api<{ totals: { calls: number; costUsd: number; outputTokens: number } }>("GET", "/api/usage");
    expect(usage.body.totals.calls).toBe(3);
    expect(usage.body.totals.costUsd).toBeGreaterThan(0);
    expect(usage.body.totals.outputTokens).toBe(served.reduce((sum, r) => sum + Number(r.usage!.output_tokens), 0));

    await nav("Usage");
    const totals = page.locator('[aria-label="Usage totals"]');
    await totals.locator('[data-total="calls"]').getByText("3", { exact: true }).waitFor();
    const cost = await totals.locator('[data-total="cost"]').textContent();
    expect(cost).toMatch(/^\$0\.\d+$/);
    expect(Number(cost!.slice(1))).toBeCloseTo(usage.body.totals.costUsd, 4);
    // The charts, rankings and budgets are drawn from the same rows.
    expect(await page.locator('[data-chart="Tokens per day"] svg rect[class^="s"]').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-chart="Cost per day"] svg').getAttribute("aria-label")).toContain(`Cost ${cost}`);
    await page.getByRole("region", { name: "Per model" }).getByText("claude-sonnet-5-5").waitFor();
    await page.getByRole("region", { name: "Per channel" }).getByText("Web chat").waitFor();
    await page.getByRole("region", { name: "Budgets" }).locator('[data-budget="Gateway cost"]').getByText(`${cost} of $50.00`).waitFor();
    await page.getByRole("region", { name: "Recent calls" }).locator(".row").first().waitFor();
    expect(await page.getByRole("region", { name: "Recent calls" }).locator(".row").count()).toBe(3);
    await screenshot(page, "more-01-usage");
    await page.getByLabel("Rank by").selectOption("tokens");
    await page.getByLabel("Range").selectOption("7");
    await totals.locator('[data-total="calls"]').getByText("3", { exact: true }).waitFor();
  });

  it("previews a job's next runs as the cron expression is typed, marks a bad field, runs it now and shows the run", async () => {
    await nav("Scheduled jobs");
    await page.getByRole("button", { name: "New job" }).click();
    const form = page.getByRole("form", { name: "New scheduled job" });
    await form.getByLabel("Name").fill("Morning digest");
    await form.getByLabel("Time zone").fill("Europe/Berlin");

    await form.getByLabel("Cron expression").fill("0 25 * * *");
    await form
      .locator('[data-field-error="cron"]')
      .getByText(/hour field "25"/)
      .waitFor();
    expect(await form.getByLabel("Cron expression").getAttribute("aria-invalid")).toBe("true");
    expect(await form.getByRole("button", { name: "Schedule job" }).isDisabled()).toBe(true);
    await screenshot(page, "more-02-job-bad-cron");

    const typedAt = Date.now();
    await form.getByLabel("Cron expression").fill("30 7 * * MON-FRI");
    const nextRuns = form.getByLabel("Next runs").locator("li");
    await nextRuns.nth(4).waitFor();
    console.log(`cron preview: next runs on screen ${Date.now() - typedAt} ms after typing (300 ms debounce)`);
    expect(await form.locator('[data-field-error="cron"]').count()).toBe(0);
    // Weekdays at 07:30 on Berlin's wall clock.
    for (const text of await nextRuns.allTextContents()) expect(text).toMatch(/^(Mon|Tue|Wed|Thu|Fri).*07:30$/);

    await form.getByLabel("Time zone").fill("Mars/Olympus_Mons");
    await form
      .locator('[data-field-error="timezone"]')
      .getByText(/not an IANA time zone/)
      .waitFor();
    await form.getByLabel("Time zone").fill("Europe/Berlin");
    await nextRuns.nth(4).waitFor();

    await form.getByLabel("Step 1 prompt").fill("Summarise yesterday's messages in three bullet points.");
    await form.getByRole("button", { name: "Add step" }).click();
    await form.getByLabel("Step 2 prompt").fill("Now make it shorter.");
    await form.getByLabel("Tries").fill("2");
    await screenshot(page, "more-03-job-form");
    await form.getByRole("button", { name: "Schedule job" }).click();

    const row = page.locator('[data-job="Morning digest"]');
    await row.and(page.locator('[data-status="active"]')).waitFor();
    await row.getByText("30 7 * * MON-FRI").waitFor();
    const jobs = await api<{ jobs: { id: string; timezone: string; steps: unknown[]; retry: { attempts: number } }[] }>("GET", "/api/jobs");
    expect(jobs.body.jobs).toEqual([expect.objectContaining({ timezone: "Europe/Berlin", retry: expect.objectContaining({ attempts: 2 }) })]);
    expect(jobs.body.jobs[0]!.steps).toHaveLength(2);

    const before = fake.requests.length;
    await row.getByRole("button", { name: "Run now" }).click();
    const run = row.getByRole("region", { name: "Run history" }).locator('.row[data-status="ok"]');
    await run.waitFor({ timeout: 40_000 });
    // Both steps reached the model; the output is the last step's answer.
    expect(fake.requests.length - before).toBe(2);
    await run.getByText("run now").waitFor();
    await run.getByText(/\d+ in \/ \d+ out/).waitFor();
    await run.getByText("Output").click();
    await run
      .locator("pre.output")
      .last()
      .getByText(/^Answer #\d+: you said "Now make it shorter\."/)
      .waitFor();
    await screenshot(page, "more-04-job-run");

    await row.getByRole("button", { name: "Pause" }).click();
    await row.and(page.locator('[data-status="paused"]')).waitFor();
    await row.getByRole("button", { name: "Resume" }).click();
    await row.and(page.locator('[data-status="active"]')).waitFor();
  });

  it("mints a bridge token shown once; the bridge it runs shows its channels' states, and Health counts it up, then down", async () => {
    await nav("Bridges");
    await page.getByRole("button", { name: "New bridge" }).click();
    const form = page.getByRole("form", { name: "New bridge" });
    await form.getByLabel("Name").fill("home-server");
    await form.getByRole("button", { name: "Mint token" }).click();
    const shown = page.getByRole("region", { name: "Bridge token" });
    await shown.getByText("shown only this once").waitFor();
    const token = (await shown.locator('[data-secret="bridge-token"] code').textContent()) ?? "";
    expect(token).toMatch(/^lgb_[\w-]{40,}$/);
    await shown.getByText(`LOOPGATE_BRIDGE_TOKEN=${token} npm run bridge`).waitFor();
    await screenshot(page, "more-05-bridge-token");

    const listed = await api<{ bridges: { id: string; name: string; status: string }[] }>("GET", "/api/bridges");
    expect(listed.body.bridges).toEqual([expect.objectContaining({ name: "home-server", status: "never" })]);
    expect(JSON.stringify(listed.body)).not.toContain(token);
    const bridgeId = listed.body.bridges[0]!.id;
    await shown.getByRole("button", { name: "Done" }).click();
    await page.locator('[data-bridge="home-server"][data-state="never connected"]').waitFor();
    expect(await page.content()).not.toContain(token);

    // Two channels on it: one reaches a (fake) signal-cli daemon, one cannot find signal-cli at all.
    for (const [name, config] of [
      ["Signal", { bridgeId, account: SIGNAL_ACCOUNT, daemon: signal.address }],
      ["Signal backup", { bridgeId, account: "+15550000043", cliPath: "/nonexistent/signal-cli" }],
    ] as const) {
      expect((await api("POST", "/api/channels", { type: "signal", name, policy: "pairing", config })).status).toBe(201);
    }
    bridge = startBridge({ url: gw.url, token, dataDir: bridgeData, heartbeatMs: 500 });
    const row = page.locator('[data-bridge="home-server"]');
    await row.and(page.locator('[data-state="up"]')).waitFor({ timeout: 30_000 });
    await row.getByRole("list", { name: "Channels" }).locator("li", { hasText: "Signal backup" }).getByText("failed").waitFor({ timeout: 30_000 });
    await row
      .getByRole("list", { name: "Channels" })
      .locator("li", { hasText: /^Signal connected/ })
      .waitFor();
    await screenshot(page, "more-06-bridge-up");

    await nav("Channels");
    const channels = page.getByRole("list", { name: "Channels" });
    await channels.locator('[data-status="connected"]', { hasText: "via bridge home-server" }).waitFor();
    const failed = channels.locator('[data-status="failed"]');
    await failed.getByText(/signal-cli not found/).waitFor();
    await failed.getByRole("button", { name: "Signal backup" }).click();
    await page.locator('[data-bridge-state="failed"]').getByText("Served by bridge home-server").waitFor();
    await screenshot(page, "more-07-channels-bridged");

    await nav("Health");
    await page.locator('[data-bridges="1 up, 0 down"]').waitFor();
    await bridge.kill();
    // Three missed heartbeats (500 ms each) and the hub marks the bridge and its channels down.
    await page.locator('[data-bridges="0 up, 1 down"]').waitFor({ timeout: 30_000 });
    await page.getByText("A bridge is down").waitFor();
    await screenshot(page, "more-08-health-bridge-down");
    await nav("Channels");
    const down = page.getByRole("list", { name: "Channels" }).locator('[data-status="down"]');
    await down.nth(1).waitFor();
    expect(await down.count()).toBe(2);
    await down.first().getByText("down").waitFor();

    await nav("Bridges");
    await row.and(page.locator('[data-state="down"]')).waitFor();
    await row.getByRole("button", { name: "Revoke" }).click();
    await row.getByRole("button", { name: "Revoke token" }).click();
    await row.waitFor({ state: "detached" });
    expect((await api<{ bridges: unknown[] }>("GET", "/api/bridges")).body.bridges).toEqual([]);
    expect((await fetch(`${gw.url}/bridge/connect`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it("draws a bridged channel's login QR code, drops it once connected; the feed catches up on more than a page of missed events", async () => {
    const created = await api<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: "qr-bridge" });
    const bridgeId = created.body.bridge.id;
    const ch = await api<{ channel: { id: string } }>("POST", "/api/channels", {
      type: "signal",
      name: "Signal link",
      policy: "pairing",
      config: { bridgeId, account: "+15550000044", daemon: "127.0.0.1:9" },
    });
    expect(ch.status).toBe(201);
    // The bridge's side of the link protocol (bridged-protocol.ts), reporting a device-link QR payload the way WhatsApp Web does.
    const link = new WebSocket(`${gw.url.replace("http", "ws")}/bridge/connect`, { headers: { authorization: `Bearer ${created.body.token}` } });
    await new Promise((resolve, reject) => link.once("open", resolve).once("error", reject));
    const qr = "2@Yk9nQ2x1ZXNzLWRldmljZS1saW5r,Q2VydGlmaWNhdGUtcHVibGljLWtleQ==,SWRlbnRpdHkta2V5LWZvci10ZXN0,QWR2LXNlY3JldC1mb3ItdGVzdA==";
    link.send(JSON.stringify({ t: "hello", version: "test", heartbeatMs: 60_000 }));
    link.send(JSON.stringify({ t: "state", channelId: ch.body.channel.id, state: "needs_login", reason: "scan the QR code to link this device", detail: qr }));
    await waitFor(
      async () => (await api<{ channel: { status: string } }>("GET", `/api/channels/${ch.body.channel.id}`)).body.channel.status === "needs_login",
      10_000,
      "needs_login",
    );

    await nav("Channels");
    await page.getByRole("list", { name: "Channels" }).getByRole("button", { name: "Signal link" }).click();
    const image = page.getByRole("img", { name: "Login QR code for Signal link" });
    await image.waitFor();
    expect(await image.getAttribute("data-qr")).toBe(qr);
    // A real image was drawn: an SVG with the QR's modules, square and wide enough to scan.
    const size = await image.evaluate((img: HTMLImageElement) => ({
      w: img.naturalWidth,
      h: img.naturalHeight,
      svg: decodeURIComponent(img.src.split(",")[1] ?? ""),
    }));
    expect(size.svg).toMatch(/^<svg [^>]*viewBox="0 0 (\d+) \1".*<path[^>]+d="M/s);
    expect(size.w).toBeGreaterThanOrEqual(60);
    expect(size.w).toBe(size.h);
    await page.locator('[data-bridge-state="needs_login"]').getByText("scan the QR code to link this device").waitFor();
    await screenshot(page, "more-09-channel-login-qr");

    link.send(JSON.stringify({ t: "state", channelId: ch.body.channel.id, state: "connected" }));
    // The screen reloads every few seconds while a login waits; once connected, the code goes.
    await page.locator('[data-bridge-state="connected"]').waitFor({ timeout: 10_000 });
    expect(await image.count()).toBe(0);

    // The feed, disconnected while more than a page (200) of events happens, catches up on all of them.
    await nav("Activity");
    await page.locator('[data-state="live"]').waitFor();
    feed.down = true;
    await feed.sockets.at(-1)!.close({ code: 1001, reason: "network dropped" });
    await page.locator('[data-state="waiting"]').waitFor();
    const countStates = async () => (await api<{ events: { id: string }[] }>("GET", "/api/events?kind=channel.state&limit=500")).body.events;
    const before = new Set((await countStates()).map((e) => e.id));
    for (let i = 0; i < 260; i++)
      link.send(JSON.stringify({ t: "state", channelId: ch.body.channel.id, state: i % 2 ? "connected" : "connecting", reason: `flap ${i}` }));
    await waitFor(async () => (await countStates()).length >= before.size + 260, 30_000, "260 channel.state events");
    const missed = (await countStates()).filter((e) => !before.has(e.id)).map((e) => e.id);
    expect(missed).toHaveLength(260);
    feed.down = false;
    // Within the backoff (at most 8 s after a few seconds down).
    await page.locator('[data-state="live"]').waitFor({ timeout: 40_000 });
    const onScreen = new Set(await page.locator(".event").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-event-id"))));
    expect(missed.filter((id) => !onScreen.has(id))).toEqual([]);
    expect(onScreen.size).toBe(await page.locator(".event").count());
    link.close();
  });

  it("fits a 360 px phone screen on the usage, jobs, bridges, channels and health screens", async () => {
    await page.setViewportSize({ width: 360, height: 760 });
    for (const title of ["Usage", "Scheduled jobs", "Bridges", "Channels", "Health"]) {
      await nav(title);
      await page.getByText("Loading…").waitFor({ state: "detached" });
      if (title === "Scheduled jobs") {
        await page.locator('[data-job="Morning digest"]').getByRole("button", { name: "Morning digest" }).click();
        await page.getByRole("region", { name: "Run history" }).locator(".row").first().waitFor();
        await page.getByRole("button", { name: "New job" }).click();
        await page.getByLabel("Next runs").locator("li").nth(4).waitFor();
      }
      await noSidewaysScroll(title);
      await screenshot(page, `more-phone-${title.toLowerCase().replace(/\W+/g, "-")}`);
    }
    expect(pageErrors).toEqual([]);
  });
});
