/**
 * The conversation view shows what senders attached, in a real headless Chromium against
 * `npm start`: a Telegram photo and a voice note go through the gateway (fake Bot API, fake
 * Workers AI, fake Messages API), and the sender's history shows the picture (its bytes loaded
 * from R2 through /api/media with the session's token) and the voice note's player and
 * transcript, at desktop and phone widths. Screenshots: test-results/screenshots/media-*.png.
 */
import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTelegramFake } from "../../src/channels/telegram/fake-bot-api";
import photoCaption from "../../src/channels/telegram/fixtures/photo-caption.json";
import voiceUpdate from "../../src/channels/telegram/fixtures/voice.json";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-messages";
import { serveFake } from "../fakes/http-fake-server";
import { createSpeechToTextFake } from "../fakes/speech-to-text";
import { launchBrowser, screenshot } from "../support/browser";
import { logIn, openDashboardPage, openScreen, screenshotFailures } from "../support/dashboard-page";
import { removeState, setupAdmin, startGateway, waitFor, type GatewayProcess } from "../support/gateway-process";

const PORT = 9751;
const KEY = "sk-ant-dashboard-media-90ab";
const TOKEN = "555666779:AADashboardMediaTokenNeverStored";
const CF_ACCOUNT = "fedcba9876543210fedcba9876543210";
const CF_TOKEN = "cf-ai-token-dashboard-media";
const USERNAME = "admin";
const PASSWORD = "dashboard media e2e password";
const PHOTO = readFileSync(new URL("../../src/channels/telegram/fixtures/photo.jpg", import.meta.url));
const VOICE = readFileSync(new URL("../../src/channels/telegram/fixtures/voice.oga", import.meta.url));
const SPOKEN = "Could you book a table for four at eight tonight?";

let anthropic: FakeAnthropic;
let fakes: Awaited<ReturnType<typeof serveFake>>;
let gw: GatewayProcess;
let browser: Browser;
let page: Page;
const telegram = createTelegramFake({ token: TOKEN });
const speech = createSpeechToTextFake({ accountId: CF_ACCOUNT, apiToken: CF_TOKEN, openAiKey: "unused" });

beforeAll(async () => {
  [anthropic, fakes] = await Promise.all([
    startFakeAnthropic({ apiKey: KEY, minCacheableTokens: 256 }),
    serveFake((request) => (new URL(request.url).pathname.startsWith("/client/v4/") ? speech.handle(request) : telegram.handle(request))),
  ]);
  [gw, browser] = await Promise.all([
    startGateway({
      port: PORT,
      env: {
        ANTHROPIC_API_KEY: KEY,
        ANTHROPIC_BASE_URL: anthropic.url,
        AGENT_RETRY_BASE_MS: "50",
        CLOUDFLARE_ACCOUNT_ID: CF_ACCOUNT,
        CLOUDFLARE_AI_TOKEN: CF_TOKEN,
        CLOUDFLARE_API_BASE_URL: `${fakes.url}/client/v4`,
      },
    }),
    launchBrowser(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await gw?.stop();
  await Promise.all([anthropic?.close(), fakes?.close()]);
  if (gw) removeState(gw.stateDir);
});

screenshotFailures(() => page, "failed-media-");

describe("dashboard: pictures and voice notes in the conversation view", () => {
  it("shows the photo and the voice note's transcript under the sender's messages", async () => {
    const { api } = await setupAdmin(gw, USERNAME, PASSWORD);
    const created = await api<{ channel: { id: string } }>("POST", "/api/channels", {
      type: "telegram",
      name: "Family bot",
      policy: "open",
      config: { botToken: TOKEN, apiBase: fakes.url },
    });
    expect(created.status).toBe(201);
    expect((await api<{ ok: boolean }>("POST", `/api/channels/${created.body.channel.id}/setup`, {})).body.ok).toBe(true);
    telegram.addFile(photoCaption.message.photo.at(-1)!.file_id, PHOTO, "photos/file_1.jpg");
    telegram.addFile(voiceUpdate.message.voice.file_id, VOICE, "voice/file_2.oga");
    speech.addAudio(VOICE, SPOKEN, 4);
    let id = 7100;
    for (const fixture of [photoCaption, voiceUpdate]) {
      const update = structuredClone(fixture) as { update_id: number; message: { message_id: number } };
      update.update_id = id;
      update.message.message_id = id;
      expect((await telegram.deliver(update)).status).toBe(200);
      const sent = id++;
      await waitFor(async () => telegram.state.sent.some((s) => s.reply_parameters?.message_id === sent), 30_000, `a reply to ${sent}`);
    }

    ({ page } = await openDashboardPage(browser, { width: 1280, height: 900 }));
    await page.goto(gw.url);
    await logIn(page, USERNAME, PASSWORD);
    await openScreen(page, "Conversations");
    await page.getByRole("list", { name: "Sessions" }).getByRole("button", { name: "Test Firstname Test Lastname" }).click();
    const history = page.getByRole("region", { name: "Messages" });
    const picture = history.locator('.bubble[data-direction="in"] figure[data-media-kind="image"] img');
    await picture.waitFor();
    // The thumbnail is the sender's photo itself, decoded by the browser (48×32), not a placeholder.
    await waitFor(async () => (await picture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)) === 48, 10_000, "the photo decoded");
    const voice = history.locator('.bubble[data-direction="in"] figure[data-media-kind="audio"]');
    await voice.locator("blockquote.transcript", { hasText: SPOKEN }).waitFor();
    await voice.locator("audio").waitFor();
    await history.locator('.bubble[data-direction="out"]', { hasText: SPOKEN }).waitFor();
    await screenshot(page, "media-conversation");

    await page.setViewportSize({ width: 360, height: 780 });
    await picture.scrollIntoViewIfNeeded();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, "media-conversation-phone");
  });
});
