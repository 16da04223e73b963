/**
 * LINE's loading animation through the whole Worker: shown when a one-to-one message arrives,
 * renewed while the agent's turn runs (each request overrides the remaining time, so the
 * animation lasts as long as the turn), never requested for a group, and the reply follows.
 */
import { SELF } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createLineFake } from "./fake-messaging-api";
import groupMention from "./fixtures/text-group-mention.json";
import textUser from "./fixtures/text-user.json";
import { lineAdapter } from "./index";
import { LOADING_RENEW_MS, LOADING_SECONDS } from "./loading";
import { adminToken, call, eventually, routeFetchTo, slowTurns } from "../../../test/worker/helpers";

const API_BASE = "https://line-loading.fake";
/** The renewal interval for this test, so a renewal happens within a second rather than 15. */
const TEST_RENEW_MS = 300;
let admin: string;
beforeAll(async () => {
  admin = await adminToken();
});
afterEach(() => {
  vi.restoreAllMocks();
  lineAdapter.typing!.renewEveryMs = LOADING_RENEW_MS;
});

const hex = (n: number) => Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => b.toString(16).padStart(2, "0")).join("");

async function lineChannel(extra: Record<string, string> = {}) {
  const accessToken = `token-${crypto.randomUUID()}`;
  const channelSecret = hex(16);
  const fake = createLineFake({ accessToken, channelSecret, deliverFetch: (url, init) => SELF.fetch(url, init) });
  routeFetchTo(`${API_BASE}/`, fake.handle);
  const created = await call<{ channel: { inboundUrl: string } }>(
    "POST",
    "/api/channels",
    { type: "line", name: "line", policy: "open", config: { channelAccessToken: accessToken, channelSecret, apiBase: API_BASE, ...extra } },
    admin,
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { fake, url: created.body.channel.inboundUrl };
}

describe("LINE loading animation", () => {
  it("lasts longer than one request's span before it lapses: renewed well within it", () => {
    expect(LOADING_RENEW_MS).toBeLessThanOrEqual(LOADING_SECONDS * 1000 - 5000);
    expect(LOADING_SECONDS % 5).toBe(0);
  });

  it("is renewed in a one-to-one chat while a long turn runs, and the reply follows", async () => {
    lineAdapter.typing!.renewEveryMs = TEST_RENEW_MS;
    const { fake, url } = await lineChannel();
    const body = structuredClone(textUser);
    const event = body.events[0]!;
    const userId = `U${hex(16)}`;
    Object.assign(event, { webhookEventId: `01H${hex(12).toUpperCase()}`, replyToken: hex(16), timestamp: Date.now() });
    event.source.userId = userId;
    event.message.text = "take your time";
    const shown = () => fake.state.loading.filter((l) => l.chatId === userId);
    // The webhook's own request, the turn's first, and at least two renewals.
    slowTurns(() => shown().length >= 4);

    expect((await fake.deliver(url, body)).status).toBe(200);
    const [sent] = await eventually(async () => fake.state.sent.length > 0 && fake.state.sent, 15_000);
    expect(sent!.messages[0]).toMatchObject({ type: "text", text: expect.stringContaining("You said: take your time") });
    expect(shown().length).toBeGreaterThanOrEqual(4);
    expect(shown().every((l) => l.loadingSeconds === LOADING_SECONDS)).toBe(true);
    // Stopped with the turn: no request after the reply went out.
    const after = shown().length;
    await new Promise((r) => setTimeout(r, TEST_RENEW_MS * 3));
    expect(shown().length).toBe(after);
  }, 20_000);

  it("is never requested for a group (LINE shows it in one-to-one chats only)", async () => {
    lineAdapter.typing!.renewEveryMs = TEST_RENEW_MS;
    const { fake, url } = await lineChannel({ groupPrefix: "!ai" });
    const body = structuredClone(groupMention);
    const event = body.events[0]!;
    Object.assign(event, { webhookEventId: `01H${hex(12).toUpperCase()}`, replyToken: hex(16), timestamp: Date.now() });
    // Addressed to the bot by the group prefix, so the agent answers in the group.
    Object.assign(event.message, { text: "!ai take your time", emojis: [], mention: undefined });
    // Long enough for several renewals, had there been any.
    const until = Date.now() + TEST_RENEW_MS * 5;
    slowTurns(() => Date.now() > until);
    expect((await fake.deliver(url, body)).status).toBe(200);
    await eventually(async () => fake.state.sent.length > 0, 15_000);
    expect(fake.state.sent[0]!.messages[0]).toMatchObject({ text: expect.stringContaining("take your time") });
    expect(fake.state.calls.filter((c) => c.path === "/v2/bot/chat/loading/start")).toEqual([]);
  }, 20_000);
});
