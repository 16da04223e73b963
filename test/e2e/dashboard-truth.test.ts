/**
 * The dashboard telling the truth, in words, in a real headless Chromium against `npm start`
 * (offline echo agent), at desktop and phone sizes: an empty gateway's first-run guidance and
 * "no data yet" charts; feed rows as sentences with the channel's and the person's names, linked
 * to the conversation, raw fields one click away, refused webhooks and admin actions among them;
 * a webhook channel whose replies bounce turning to a warning with the count and last error,
 * and back to ok once a reply gets through; a pending pairing counted on the Pairings tab with
 * what the person wrote and when the code expires; a scheduled job edited, its recipient picked
 * from known people, an API error shown under its field; loop tasks whose state reads from their
 * end reason, a finished task refused a re-run until it is edited; the current tab in view on a
 * phone. Screenshots: test-results/screenshots/truth-*.png.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshot } from "../support/browser";
import { logIn, openDashboardPage, openScreen, screenshotFailures } from "../support/dashboard-page";
import { apiClient, removeState, setupAdmin, startGateway, waitFor, type GatewayProcess } from "../support/gateway-process";
import { startReceiver } from "../support/http-receiver";
import { postWebhook } from "../support/signed-webhook";
import { serveFake } from "../fakes/http-fake-server";
import { createTelegramFake } from "../../src/channels/telegram/fake-bot-api";

const PORT = 9850;
/** Nothing listens here: a Bot API root the gateway cannot reach. */
const UNREACHABLE_API = "http://127.0.0.1:9852";
const BOT_TOKEN = "123456789:AAEhBOweik6ad6PsWf6q3k3sGr2Z3Oe3r0c";
const USERNAME = "admin";
const PASSWORD = "dashboard truth e2e password";

let gw: GatewayProcess;
let api: ReturnType<typeof apiClient>;
let browser: Browser;
let desk: Page;
let phone: Page;
let deskErrors: string[];
let phoneErrors: string[];
/** The integrator's callback: answers 502 while `bouncing`, like a broken reply endpoint. */
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let bouncing = true;
let telegram: Awaited<ReturnType<typeof serveFake>>;
const telegramFake = createTelegramFake({ token: BOT_TOKEN });
const orders = { id: "", inboundUrl: "", secret: "" };

type Channel = { id: string; inboundUrl: string; delivery: { failedSinceLastDelivery: number; lastError: string | null } };

async function noSidewaysScroll(page: Page, what: string) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${what} overflows by ${overflow}px`).toBeLessThanOrEqual(0);
}

async function createWebhookChannel(name: string, policy: "open" | "pairing") {
  const res = await api<{ channel: Channel; generatedSecrets: { secret: string } }>("POST", "/api/channels", {
    type: "webhook",
    name,
    policy,
    config: { callbackUrl: `${receiver.url}/${name.replace(/\W/g, "")}` },
  });
  expect(res.status).toBe(201);
  return { id: res.body.channel.id, inboundUrl: res.body.channel.inboundUrl, secret: res.body.generatedSecrets.secret };
}

beforeAll(async () => {
  telegram = await serveFake((request) => telegramFake.handle(request));
  receiver = await startReceiver((_req, res) => {
    if (bouncing) res.writeHead(502, { "content-type": "text/plain" }).end("bad gateway");
    else res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  [gw, browser] = await Promise.all([
    startGateway({ port: PORT, env: { DELIVERY_MAX_ATTEMPTS: "2", DELIVERY_RETRY_BASE_MS: "50", API_RATE_LIMIT_PER_MINUTE: "100000" } }),
    launchBrowser(),
  ]);
  api = (await setupAdmin(gw, USERNAME, PASSWORD)).api;
  const [d, p] = await Promise.all([openDashboardPage(browser, { width: 1280, height: 860 }), openDashboardPage(browser, { width: 390, height: 844 })]);
  ({ page: desk, pageErrors: deskErrors } = d);
  ({ page: phone, pageErrors: phoneErrors } = p);
  for (const page of [desk, phone]) {
    await page.goto(gw.url);
    await logIn(page, USERNAME, PASSWORD);
  }
});

afterAll(async () => {
  await browser?.close();
  await gw?.stop();
  await receiver?.close();
  await telegram?.close();
  if (gw) removeState(gw.stateDir);
});

screenshotFailures(() => desk, "failed-truth-");

describe("dashboard: statuses and words that tell the truth", () => {
  it("guides a new gateway from its empty screens, and says 'no data yet' instead of drawing empty charts", async () => {
    for (const page of [desk, phone]) {
      const firstRun = page.locator(".first-run");
      await firstRun.getByText("Nothing has happened yet").waitFor();
      await firstRun.getByRole("link", { name: "add a channel" }).click();
      await page.getByRole("heading", { level: 1, name: "Channels" }).waitFor();
      await page.getByText("A channel connects the agent to a platform").waitFor();
      await openScreen(page, "Loop tasks");
      await page.getByText("A loop task has the agent work on one prompt over and over").waitFor();
      await openScreen(page, "Usage");
      await page.locator('[data-chart="Tokens per day"] [data-empty]').getByText("No data yet").waitFor();
      expect(await page.locator('[data-chart="Tokens per day"] svg').count()).toBe(0);
    }
    await screenshot(desk, "truth-01-usage-no-data");
    await screenshot(phone, "truth-02-phone-usage-no-data");
  });

  it("keeps the current tab in view on a phone", async () => {
    // Usage sits far right in the scrolling tab bar: it was the last tab opened above.
    const current = phone.getByRole("navigation", { name: "Main" }).locator('[aria-current="page"]');
    await waitFor(
      async () => {
        const box = await current.boundingBox();
        return box !== null && box.x >= 0 && box.x + box.width <= 390;
      },
      5000,
      "the current tab in view",
    );
    await openScreen(phone, "Activity");
    await waitFor(
      async () => {
        const box = await current.boundingBox();
        return box !== null && box.x >= 0 && box.x + box.width <= 390;
      },
      5000,
      "the Activity tab in view",
    );
  });

  it("writes feed events as sentences with names, links them to the conversation, and keeps the raw fields a click away", async () => {
    Object.assign(orders, await createWebhookChannel("Orders bot", "open"));
    const res = await postWebhook(orders.inboundUrl, orders.secret, { messageId: "o-1", sender: { id: "u-17", name: "Uma" }, text: "Where is my parcel?" });
    expect(res.status).toBe(200);
    // A forged request: the signature does not match.
    const forged = await postWebhook(orders.inboundUrl, "not-the-secret-at-all-0000", { messageId: "o-x", sender: { id: "eve" }, text: "hi" });
    expect(forged.status).toBe(401);

    await openScreen(desk, "Activity");
    const answered = desk.locator('.event[data-kind="agent.run"]');
    await answered.getByText(/^Uma on Orders bot · answered in [\d.]+ (ms|s)/).waitFor({ timeout: 30_000 });
    await desk.locator('.event[data-kind="message.received"]').getByText("Uma on Orders bot wrote “Where is my parcel?”").waitFor();
    await desk
      .locator('.event[data-kind="webhook.refused"]')
      .getByText(/A request to Orders bot's webhook was refused \(401\): /)
      .waitFor();
    await desk.locator('.event[data-kind="admin.action"]').getByText("admin created a channel").waitFor();
    // The reply bounces twice (DELIVERY_MAX_ATTEMPTS=2): the failure is a sentence, marked bad.
    const failed = desk.locator('.event[data-kind="reply.failed"]');
    await failed.getByText(/^The reply to Uma on Orders bot could not be delivered after 2 tries: .*502/).waitFor({ timeout: 30_000 });
    expect(await failed.getAttribute("data-tone")).toBe("bad");
    // No ids in the sentences.
    for (const text of await desk.locator(".event .what").allTextContents()) expect(text).not.toContain(orders.id);

    // Times are clock times in the browser's zone, and the zone is named.
    expect(await desk.locator("[data-zone]").textContent()).toMatch(/^times in [\w/+-]+$/);
    const raw = answered.locator("details.raw");
    await raw.getByText("Raw fields").click();
    expect(await raw.locator("pre").textContent()).toContain('"senderId": "u-17"');
    await screenshot(desk, "truth-03-feed-sentences");

    await answered.getByRole("link", { name: "Conversation" }).click();
    await desk.getByRole("heading", { level: 1, name: "Conversations" }).waitFor();
    await desk.getByRole("region", { name: "Messages" }).getByRole("heading", { name: "Uma" }).waitFor();
    await desk.getByRole("region", { name: "Messages" }).locator('.bubble[data-direction="in"]', { hasText: "Where is my parcel?" }).waitFor();

    await openScreen(phone, "Activity");
    await phone.locator('.event[data-kind="reply.failed"]').first().waitFor();
    await noSidewaysScroll(phone, "the activity feed");
    await screenshot(phone, "truth-04-phone-feed");
    expect(deskErrors).toEqual([]);
  });

  it("turns a channel whose replies bounce into a warning with the count and last error, and back to ok once one gets through", async () => {
    await postWebhook(orders.inboundUrl, orders.secret, { messageId: "o-2", sender: { id: "u-17", name: "Uma" }, text: "Hello?" });
    await waitFor(
      async () => {
        const list = await api<{ channels: Channel[] }>("GET", "/api/channels");
        return list.body.channels.find((c) => c.id === orders.id)?.delivery.failedSinceLastDelivery === 2;
      },
      30_000,
      "two failed replies counted on the channel",
    );

    await openScreen(desk, "Channels");
    const row = desk.locator(`[data-channel-id="${orders.id}"]`);
    await row.locator(".badge").getByText("2 replies failed").waitFor();
    expect(await row.getAttribute("data-tone")).toBe("warn");
    await row
      .locator("[data-delivery-warning]")
      .getByText(/The last 2 replies could not be delivered to the platform: .*502/)
      .waitFor();
    // Words, not ids: the type and the policy.
    await row.getByText("Generic signed JSON webhook for custom integrations").waitFor();
    await row.getByText("anyone can write").waitFor();
    await row.getByRole("button", { name: "Orders bot" }).click();
    await desk.locator(".kv dt", { hasText: "Callback URL" }).waitFor();
    await screenshot(desk, "truth-05-channel-replies-failing");

    bouncing = false;
    await postWebhook(orders.inboundUrl, orders.secret, { messageId: "o-3", sender: { id: "u-17", name: "Uma" }, text: "Now?" });
    await waitFor(async () => receiver.received.some((r) => r.body.includes("Now?")), 30_000, "the reply delivered to the callback");
    await desk.reload();
    await desk.locator(`[data-channel-id="${orders.id}"] .badge`).getByText("ok", { exact: true }).waitFor({ timeout: 30_000 });
  });

  it("counts pending pairings on the Pairings tab, with what the person wrote and when the code expires", async () => {
    const desk2 = await createWebhookChannel("Support desk", "pairing");
    await postWebhook(desk2.inboundUrl, desk2.secret, {
      messageId: "s-1",
      sender: { id: "p-5", name: "Pia" },
      text: "Can I get access for the team calendar?",
    });
    const tab = desk.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Pairings", exact: true });
    await desk.reload();
    await tab.locator(".nav-count").getByText("1").waitFor({ timeout: 30_000 });
    expect(await tab.getAttribute("title")).toBe("1 waiting for approval");
    await tab.click();
    const request = desk.getByRole("list", { name: "Pending requests" }).locator(".row").first();
    await request.locator("[data-wrote]").getByText("wrote “Can I get access for the team calendar?”").waitFor();
    expect(await request.locator("[data-expires]").textContent()).toMatch(/^code expires in \d+ min$/);
    await screenshot(desk, "truth-06-pairing-badge");
    await phone.reload();
    await phone.getByRole("navigation", { name: "Main" }).locator('[data-pending="1"]').waitFor();
  });

  it("agrees with Conversations on how many messages were answered, and says why there are no model figures", async () => {
    const runs = await api<{ runs: { id: string; model: string }[] }>("GET", "/api/runs?limit=500");
    expect(runs.body.runs.length).toBe(3);
    await openScreen(desk, "Usage");
    await desk.locator('[data-total="replies"]').getByText("3", { exact: true }).waitFor();
    await desk
      .locator("[data-offline-echo]")
      .getByText(/The 3 answers in this range came from the offline echo/)
      .waitFor();
    await desk.getByRole("region", { name: "Top senders" }).getByText("No sender used the model in this range.").waitFor();
    await screenshot(desk, "truth-11-usage-offline-echo");
    await openScreen(desk, "Conversations");
    await desk.getByRole("button", { name: "Uma" }).click();
    const chat = desk.getByRole("region", { name: "Messages" });
    await chat.getByText(/^Orders bot · 6 messages · since \w{3}, \w{3} \d+, \d\d:\d\d [\w/+-]+ · times in [\w/+-]+$/).waitFor();
    expect(await chat.locator(".bubble").count()).toBe(6);
    // The two replies that bounced say so in the bubble, not in a footnote.
    await chat.locator("[data-undelivered]").first().waitFor();
    expect(await chat.locator("[data-undelivered]").count()).toBe(2);
    expect(await chat.locator("[data-undelivered]").first().textContent()).toMatch(/^Not delivered: .*502.*\(2 tries\)\. The person never saw this reply\.$/);
    // The person on the right, the agent on the left, as in the Playground.
    const person = await chat.locator('.bubble[data-direction="in"]').first().boundingBox();
    const agent = await chat.locator('.bubble[data-direction="out"]').first().boundingBox();
    expect(person!.x + person!.width).toBeGreaterThan(agent!.x + agent!.width);
    await screenshot(desk, "truth-12-conversation-undelivered");
  });

  it("keeps the Playground chat across a reload, the same way round as Conversations, and forgets it on New chat", async () => {
    await openScreen(desk, "Playground");
    await desk.getByText("A new chat").waitFor();
    await desk.getByPlaceholder("Message the agent").fill("Remember the word marmalade.");
    await desk.getByRole("button", { name: "Send" }).click();
    await desk.locator('.bubble[data-from="agent"]', { hasText: "marmalade" }).waitFor({ timeout: 30_000 });
    await desk.reload();
    await desk.locator('.bubble[data-from="you"]', { hasText: "Remember the word marmalade." }).waitFor();
    await desk.locator('.bubble[data-from="agent"]', { hasText: "marmalade" }).waitFor();
    await desk.getByText("2 messages the agent remembers").waitFor();
    const you = await desk.locator('.bubble[data-from="you"]').first().boundingBox();
    const agent = await desk.locator('.bubble[data-from="agent"]').first().boundingBox();
    expect(you!.x + you!.width).toBeGreaterThan(agent!.x + agent!.width);
    await screenshot(desk, "truth-13-playground-after-reload");

    await desk.getByRole("button", { name: "New chat" }).click();
    await desk.getByRole("button", { name: "Forget this chat" }).click();
    await desk.getByText("A new chat").waitFor();
    expect(await desk.locator(".bubble").count()).toBe(0);
    const remembered = await api<{ turns: unknown[] }>("GET", "/api/chat/history");
    expect(remembered.body.turns).toEqual([]);
    await desk.reload();
    await desk.getByText("A new chat").waitFor();
    expect(await desk.locator(".bubble").count()).toBe(0);
  });

  it("runs a Telegram channel's setup when it is created, asks nothing to be copied, warns about localhost, and never says Telegram refused when it was not reached", async () => {
    async function addTelegram(page: Page, name: string, apiBase: string) {
      await openScreen(page, "Channels");
      await page.getByRole("button", { name: "Add channel" }).click();
      await page.getByLabel("Type").selectOption("telegram");
      await page.getByLabel("Name", { exact: true }).fill(name);
      await page.getByLabel("Bot token").fill(BOT_TOKEN);
      await page.getByLabel("Bot API root (advanced)").fill(apiBase);
      await page.getByRole("button", { name: "Create channel" }).click();
      return page.getByRole("region", { name: "Channel created" });
    }

    // A token the API refuses: the message sits under the Bot token field, in the field's words.
    await openScreen(desk, "Channels");
    await desk.getByRole("button", { name: "Add channel" }).click();
    await desk.getByLabel("Type").selectOption("telegram");
    await desk.getByLabel("Name", { exact: true }).fill("Typo bot");
    await desk.getByLabel("Bot token").fill("not-a-token");
    await desk.getByRole("button", { name: "Create channel" }).click();
    await desk.locator('[data-field-error="botToken"]').getByText("Bot token must look like 123456789:AA... (from @BotFather)").waitFor();
    expect(await desk.locator(".banner.error").count()).toBe(0);
    await screenshot(desk, "truth-17-channel-field-error");
    await desk.getByRole("button", { name: "Cancel" }).click();

    const ok = await addTelegram(desk, "Family bot", telegram.url);
    // Set up (the fake Bot API took the webhook), but on localhost: not called "ready".
    await ok.getByRole("heading", { name: "Family bot is set up, but the platform cannot reach this gateway yet" }).waitFor({ timeout: 30_000 });
    await ok.getByText("Setup done").waitFor();
    expect(telegramFake.state.webhook?.url).toMatch(/\/hooks\/ch_/);
    // Nothing to copy: setup gave Telegram the address and the secret token.
    expect(await ok.getByRole("button", { name: /Copy/ }).count()).toBe(0);
    await ok.getByText("there is nothing to copy").waitFor();
    // The gateway runs on localhost: Telegram could not deliver there, and the ways around it are named.
    const warning = ok.locator("[data-unreachable]");
    await warning.getByText(/is an address only this machine or network can reach/).waitFor();
    await warning.getByText(/cloudflared tunnel --url/).waitFor();
    await warning.getByText(/long polling \(via the bridge\)/).waitFor();
    await screenshot(desk, "truth-14-telegram-created");
    await ok.getByRole("button", { name: "Done" }).click();

    const failed = await addTelegram(phone, "Unreachable bot", UNREACHABLE_API);
    await failed.getByRole("heading", { name: "Unreachable bot was created, but its setup failed" }).waitFor({ timeout: 30_000 });
    await failed.getByText(/^Could not reach Telegram/).waitFor();
    expect(await failed.textContent()).not.toContain("Telegram refused");
    expect(await failed.getByRole("heading", { name: /is ready/ }).count()).toBe(0);
    await noSidewaysScroll(phone, "a Telegram channel whose setup failed");
    await screenshot(phone, "truth-15-phone-telegram-setup-failed");
    await failed.getByRole("button", { name: "Done" }).click();
    const row = phone.getByRole("list", { name: "Channels" }).locator(".row", { hasText: "Unreachable bot" });
    await row.locator(".badge").getByText("error").waitFor();

    // A bridged channel's bridge is picked by name, not typed as an id.
    const bridge = await api<{ bridge: { id: string } }>("POST", "/api/bridges", { name: "Home server" });
    expect(bridge.status).toBe(201);
    await openScreen(desk, "Channels");
    await desk.getByRole("button", { name: "Add channel" }).click();
    await desk.getByLabel("Type").selectOption("telegram-polling");
    await desk.locator('select[name="bridgeId"]').selectOption({ label: "Home server (never connected)" });
    expect(await desk.locator('select[name="bridgeId"]').inputValue()).toBe(bridge.body.bridge.id);
    await screenshot(desk, "truth-16-bridge-picker");
    await desk.getByRole("button", { name: "Cancel" }).click();
  });

  it("edits a scheduled job: a known person picked as recipient, missed runs in words, an API error under its field", async () => {
    const created = await api<{ job: { id: string } }>("POST", "/api/jobs", {
      name: "Parcel digest",
      cron: "0 8 * * *",
      timezone: "Europe/Berlin",
      steps: [{ prompt: "List late parcels." }],
    });
    expect(created.status).toBe(201);
    await openScreen(desk, "Scheduled jobs");
    const row = desk.locator('[data-job="Parcel digest"]');
    await row.getByText("runs missed during downtime are left out").waitFor();
    await row.getByText(/next .* 08:00 Europe\/Berlin/).waitFor();
    await row.getByRole("button", { name: "Edit" }).click();
    const form = desk.getByRole("form", { name: "Edit scheduled job" });
    expect(await form.getByLabel("Name").inputValue()).toBe("Parcel digest");
    await form.getByLabel("Deliver the result to").selectOption({ label: "Orders bot" });
    await form.getByLabel("Recipient").selectOption({ label: "Uma (u-17)" });
    await form.getByLabel("Cron expression").fill("30 9 * * *");
    // Spaces only: the browser lets it through, the API refuses it, and the message sits under the name.
    await form.getByLabel("Name").fill("   ");
    await form.getByRole("button", { name: "Save changes" }).click();
    await form.locator('[data-field-error="name"]').getByText("Name is required").waitFor();
    expect(await form.locator(".banner.error").count()).toBe(0);
    await screenshot(desk, "truth-07-job-edit-field-error");
    await form.getByLabel("Name").fill("Morning parcels");
    await form.getByRole("button", { name: "Save changes" }).click();
    const edited = desk.locator('[data-job="Morning parcels"]');
    await edited.getByText("to Uma on Orders bot").waitFor();
    await edited.getByText("30 9 * * *").waitFor();
    const job = await api<{ job: { name: string; cron: string; deliverTo: { channelId: string; recipient: string } } }>(
      "GET",
      `/api/jobs/${created.body.job.id}`,
    );
    expect(job.body.job).toMatchObject({ name: "Morning parcels", cron: "30 9 * * *", deliverTo: { channelId: orders.id, recipient: "u-17" } });
    await screenshot(desk, "truth-08-job-edited");
  });

  it("reads a loop task's state from its end reason, and refuses to re-run a task that reached its goal until it is edited", async () => {
    // The echo agent repeats the prompt, so a prompt containing the completion phrase ends at once as "goal reached".
    const goal = await api<{ task: { id: number } }>("POST", "/api/tasks", {
      name: "Tidy notes",
      prompt: "Say ALL-TIDY when done.",
      maxIterations: 5,
      completionPromise: "ALL-TIDY",
    });
    const capped = await api<{ task: { id: number } }>("POST", "/api/tasks", {
      name: "Polish copy",
      prompt: "Improve the copy.",
      maxIterations: 2,
      noProgressLimit: 50,
    });
    expect([goal.status, capped.status]).toEqual([201, 201]);
    await waitFor(
      async () => {
        const tasks = await api<{ tasks: { id: number; status: string }[] }>("GET", "/api/tasks");
        return tasks.body.tasks.every((t) => t.status !== "running");
      },
      60_000,
      "both loop tasks to end",
    );

    await openScreen(desk, "Loop tasks");
    const done = desk.locator('[data-task="Tidy notes"]');
    await done.locator(".badge").getByText("goal reached").waitFor();
    await done.getByText("ended: the agent said the goal was reached").waitFor();
    expect(await done.getByRole("button", { name: /Resume|Run again/ }).count()).toBe(0);
    const refused = await api<{ error: string }>("POST", `/api/tasks/${goal.body.task.id}/start`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toContain("already reached its goal");

    const ran = desk.locator('[data-task="Polish copy"]');
    await ran.locator(".badge").getByText("ran all iterations").waitFor();
    await ran.getByText("2 iterations · up to 2 per run").waitFor();
    await ran.getByRole("button", { name: "Run again (up to 2 more)" }).waitFor();
    await screenshot(desk, "truth-09-loop-task-states");

    await done.getByRole("button", { name: "Edit" }).click();
    const form = desk.getByRole("form", { name: "Edit loop task" });
    await form.getByLabel("Prompt").fill("Sort the notes by topic; say ALL-TIDY when done.");
    await form.getByRole("button", { name: "Save changes" }).click();
    const edited = desk.locator('[data-task="Tidy notes"]');
    await edited.locator(".badge").getByText("edited: ready to run").waitFor();
    await edited.getByRole("button", { name: "Run again (up to 5 more)" }).click();
    await edited.locator(".badge").getByText("goal reached").waitFor({ timeout: 30_000 });
    const after = await api<{ task: { prompt: string; iterations: number } }>("GET", `/api/tasks/${goal.body.task.id}`);
    expect(after.body.task).toMatchObject({ prompt: "Sort the notes by topic; say ALL-TIDY when done.", iterations: 2 });

    await openScreen(phone, "Loop tasks");
    await phone.locator('[data-task="Tidy notes"] .badge').getByText("goal reached").waitFor();
    await noSidewaysScroll(phone, "loop tasks");
    await screenshot(phone, "truth-10-phone-loop-tasks");
    expect(deskErrors).toEqual([]);
    expect(phoneErrors).toEqual([]);
  });
});
