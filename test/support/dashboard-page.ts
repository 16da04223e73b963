/**
 * A dashboard tab in headless Chromium as its browser tests use it: page errors collected, the
 * live feed routed through a switch that can drop it like a flaky network, a screenshot when a
 * test fails, and the steps every test takes (log in, open a screen from the menu).
 */
import type { Browser, Page, WebSocketRoute } from "playwright-core";
import { afterEach } from "vitest";
import { screenshot } from "./browser";

export interface FeedSwitch {
  /** Every live feed connection the page opened, newest last (close one to drop it). */
  sockets: WebSocketRoute[];
  /** While true the feed's server is "unreachable": connections are accepted and dropped at once. */
  down: boolean;
}

export interface DashboardPage {
  page: Page;
  /** Uncaught errors in the page; a test expects none. */
  pageErrors: string[];
  feed: FeedSwitch;
}

export async function openDashboardPage(browser: Browser, viewport: { width: number; height: number }): Promise<DashboardPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const pageErrors: string[] = [];
  page.on("pageerror", (err) => pageErrors.push(err.message));
  // Passed through untouched, but with a handle to each connection.
  const feed: FeedSwitch = { sockets: [], down: false };
  await page.routeWebSocket(/\/api\/live/, async (ws) => {
    if (feed.down) return ws.close({ code: 1011, reason: "unreachable" });
    ws.connectToServer();
    feed.sockets.push(ws);
  });
  return { page, pageErrors, feed };
}

/** Opens a screen from the main menu and waits for its heading. */
export async function openScreen(page: Page, title: string): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: title, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: title }).waitFor();
}

/** Fills the login form and waits until the app is back (on the page that was open when the session ended). */
export async function logIn(page: Page, username: string, password: string): Promise<void> {
  const form = page.getByRole("form", { name: "Log in" });
  await form.getByLabel("Username").fill(username);
  await form.getByLabel("Password").fill(password);
  await form.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("navigation", { name: "Main" }).waitFor();
}

/** After each failed test, a picture of what the browser showed: test-results/screenshots/<prefix><test name>.png. */
export function screenshotFailures(page: () => Page | undefined, prefix: string): void {
  afterEach(async ({ task }) => {
    const open = page();
    if ((task.result?.state === "fail" || task.result?.errors?.length) && open)
      await screenshot(open, `${prefix}${task.name.replace(/\W+/g, "-").slice(0, 60)}`).catch(() => undefined);
  });
}
