/**
 * Streaming to the dashboard, in headless Chromium against `npm start` with the real SDK pointed
 * at a fake Messages API that writes slowly: the Playground's answer grows while the model
 * writes it and is replaced by exactly one finished reply, and the Activity screen shows the
 * reply being written, then the delivered reply in its place. Screenshots:
 * test-results/screenshots/stream-*.png.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshot } from "../support/browser";
import { logIn, openDashboardPage, openScreen, screenshotFailures } from "../support/dashboard-page";
import { removeState, setupAdmin, startGateway, type GatewayProcess } from "../support/gateway-process";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-messages";

const PORT = 10550;
const KEY = "sk-ant-e2e-dashboard-stream-7f31";
const USERNAME = "admin";
const PASSWORD = "dashboard stream e2e password";

/** Long enough to stream for a few seconds in 12-character deltas. */
const answer = (topic: string) =>
  `Here is what I know about ${topic}. ` + Array.from({ length: 6 }, (_, i) => `Point ${i + 1}: ${topic} matter for reason ${i + 1}.`).join(" ");

let gw: GatewayProcess;
let anthropic: FakeAnthropic;
let browser: Browser;
let chat: Page;
let activity: Page;
let chatErrors: string[];
let activityErrors: string[];

/** Records every text a matching element showed, from a MutationObserver in the page (nothing is missed between polls). */
async function recordTexts(page: Page, selector: string): Promise<void> {
  await page.evaluate((sel) => {
    const w = window as unknown as { seenTexts: string[] };
    w.seenTexts = [];
    const note = () => {
      for (const el of Array.from(document.querySelectorAll(sel))) {
        const text = el.textContent ?? "";
        if (w.seenTexts.at(-1) !== text) w.seenTexts.push(text);
      }
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
  }, selector);
}
const seenTexts = (page: Page) => page.evaluate(() => (window as unknown as { seenTexts: string[] }).seenTexts);

beforeAll(async () => {
  anthropic = await startFakeAnthropic({ apiKey: KEY });
  [gw, browser] = await Promise.all([
    startGateway({ port: PORT, env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: anthropic.url, API_RATE_LIMIT_PER_MINUTE: "100000" } }),
    launchBrowser(),
  ]);
  await setupAdmin(gw, USERNAME, PASSWORD);
  const [c, a] = await Promise.all([openDashboardPage(browser, { width: 1280, height: 860 }), openDashboardPage(browser, { width: 1280, height: 860 })]);
  ({ page: chat, pageErrors: chatErrors } = c);
  ({ page: activity, pageErrors: activityErrors } = a);
  for (const page of [chat, activity]) {
    await page.goto(gw.url);
    await logIn(page, USERNAME, PASSWORD);
  }
});

afterAll(async () => {
  await browser?.close();
  await gw?.stop();
  await anthropic?.close();
  if (gw) removeState(gw.stateDir);
});

screenshotFailures(() => chat, "failed-stream-");

describe("streamed replies on the dashboard", () => {
  it("grows the Playground's answer while the model writes, then shows exactly one finished reply; the Activity screen shows it being written", async () => {
    await openScreen(chat, "Playground");
    await chat.getByText("A new chat").waitFor();
    await openScreen(activity, "Activity");
    await activity.locator('[data-state="live"]').waitFor();
    await recordTexts(chat, '.bubble[data-streaming="true"]');
    await recordTexts(activity, 'ul[aria-label="Replies being written"] .what');

    const full = answer("tides");
    anthropic.enqueue({ kind: "text", text: full, deltaDelayMs: 150 });
    await chat.getByPlaceholder("Message the agent").fill("Tell me about tides.");
    await chat.getByRole("button", { name: "Send" }).click();

    // A part of the answer is on screen before the whole of it.
    const growing = chat.locator('.bubble[data-streaming="true"]');
    await growing.waitFor({ timeout: 30_000 });
    await screenshot(chat, "stream-1-playground-growing");
    const writing = activity.getByRole("list", { name: "Replies being written" });
    await writing.getByText("the agent is writing").waitFor({ timeout: 30_000 });
    expect(await writing.textContent()).toContain("Web chat");
    await screenshot(activity, "stream-2-activity-writing");

    // The finished reply replaces the preview: one agent bubble with the whole answer.
    await chat.locator('.bubble[data-from="agent"]:not([data-streaming])', { hasText: full }).waitFor({ timeout: 60_000 });
    await expect.poll(() => growing.count()).toBe(0);
    expect(await chat.locator('.bubble[data-from="agent"]').count()).toBe(1);
    expect(await chat.locator('.bubble[data-from="agent"]').textContent()).toBe(full);
    await screenshot(chat, "stream-3-playground-finished");

    // Previews were growing prefixes of the answer, several of them, and none was the finished reply itself.
    const previews = (await seenTexts(chat)).map((t) => t.replace(/ …$/, ""));
    expect(previews.length).toBeGreaterThanOrEqual(2);
    for (const p of previews) {
      expect(full.startsWith(p)).toBe(true);
      expect(p.length).toBeLessThan(full.length);
    }
    for (let i = 1; i < previews.length; i++) expect(previews[i]!.length).toBeGreaterThan(previews[i - 1]!.length);

    // The Activity screen drops the preview once the reply is delivered, and lists the delivery.
    await activity.locator('li[data-kind="reply.delivered"]').first().waitFor({ timeout: 30_000 });
    await expect.poll(() => activity.getByRole("list", { name: "Replies being written" }).count()).toBe(0);
    expect((await seenTexts(activity)).length).toBeGreaterThanOrEqual(1);
    // Progress is never stored: a reload shows the delivered reply and no preview.
    await activity.reload();
    await activity.locator('li[data-kind="reply.delivered"]').first().waitFor();
    expect(await activity.locator('li[data-kind="reply.progress"]').count()).toBe(0);

    // The agent remembers one answer, the finished one.
    await chat.reload();
    await chat.getByText("2 messages the agent remembers").waitFor();
    expect(chatErrors).toEqual([]);
    expect(activityErrors).toEqual([]);
  });
});
