/**
 * WhatsApp's typing indicator through the whole Worker: shown on the person's message when the
 * turn starts, renewed while the turn runs (WhatsApp drops it after 25 s), stopped by the reply,
 * and a Graph API that refuses it changes nothing about the reply.
 */
import { SELF } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createGraphApiFake } from "./fake-graph-api";
import textMessage from "./fixtures/text-message.json";
import { whatsappAdapter } from "./index";
import { WHATSAPP_TYPING_LIFETIME_MS, WHATSAPP_TYPING_RENEW_MS } from "./typing";
import { adminToken, call, eventually, hmacHex, routeFetchTo, slowTurns } from "../../../test/worker/helpers";

const APP_SECRET = "app-secret-0123456789abcdef";
const ACCESS_TOKEN = "EAAG-test-access-token-0123456789";
/** The renewal interval for these tests, so renewals happen within a second rather than 20. */
const TEST_RENEW_MS = 300;

let admin: string;
beforeAll(async () => {
  admin = await adminToken();
});
afterEach(() => {
  vi.restoreAllMocks();
  whatsappAdapter.typing!.renewEveryMs = WHATSAPP_TYPING_RENEW_MS;
});

/** A channel on its own fake Graph API host, and a message from `from` that Graph knows it received. */
async function conversation(from: string, text: string) {
  const phoneNumberId = String(Date.now()) + String(Math.floor(Math.random() * 1000));
  const host = `https://graph-typing-${phoneNumberId}.test`;
  const graph = createGraphApiFake({ accessToken: ACCESS_TOKEN, phoneNumberId, appSecret: APP_SECRET });
  routeFetchTo(`${host}/`, graph.handle);
  const created = await call<{ channel: { id: string; inboundUrl: string } }>(
    "POST",
    "/api/channels",
    {
      type: "whatsapp",
      name: `wa ${phoneNumberId}`,
      policy: "open",
      config: { phoneNumberId, accessToken: ACCESS_TOKEN, appSecret: APP_SECRET, apiBase: `${host}/v21.0` },
    },
    admin,
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const wamid = `wamid.${crypto.randomUUID()}`;
  graph.userWrote(from, Date.now(), wamid);
  const n = structuredClone(textMessage);
  const value = n.entry[0]!.changes[0]!.value;
  value.metadata.phone_number_id = phoneNumberId;
  value.contacts[0]!.wa_id = from;
  Object.assign(value.messages[0]!, { from, text: { body: text }, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)) });
  const body = JSON.stringify(n);
  const deliver = async () =>
    SELF.fetch(created.body.channel.inboundUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": `sha256=${await hmacHex(APP_SECRET, body)}` },
      body,
    });
  return { graph, wamid, channelId: created.body.channel.id, deliver };
}

describe("WhatsApp typing indicator", () => {
  it("is renewed well within the 25 seconds WhatsApp shows it", () => {
    expect(WHATSAPP_TYPING_RENEW_MS).toBeLessThanOrEqual(WHATSAPP_TYPING_LIFETIME_MS - 5000);
  });

  it("shows on the person's message when the turn starts, is renewed while it runs, and stops with the reply", async () => {
    whatsappAdapter.typing!.renewEveryMs = TEST_RENEW_MS;
    const { graph, wamid, deliver } = await conversation("16315551234", "take your time");
    // The turn's first indicator and at least two renewals before the answer is written.
    slowTurns(() => graph.typing.length >= 3);

    expect((await deliver()).status).toBe(200);
    const [sent] = await eventually(async () => graph.sent.length > 0 && graph.sent, 15_000);
    expect(sent).toMatchObject({ to: "16315551234", body: expect.stringContaining("You said: take your time"), contextMessageId: wamid });
    expect(graph.typing.length).toBeGreaterThanOrEqual(3);
    expect(graph.typing.every((t) => t.messageId === wamid)).toBe(true);
    // Stopped with the turn: no indicator after the reply went out.
    const after = graph.typing.length;
    await new Promise((r) => setTimeout(r, TEST_RENEW_MS * 3));
    expect(graph.typing.length).toBe(after);
  }, 20_000);

  it("changes nothing when Graph refuses it: the reply goes out once", async () => {
    whatsappAdapter.typing!.renewEveryMs = TEST_RENEW_MS;
    const { graph, channelId, deliver } = await conversation("447700900123", "still there?");
    graph.failTypingIndicators();
    // The turn waits until the indicator was refused at least twice.
    slowTurns(() => graph.typingRefused.length >= 2);

    expect((await deliver()).status).toBe(200);
    const runs = await eventually(async () => {
      const r = (await call<{ runs: { deliveryStatus: string; deliveryAttempts: number }[] }>("GET", `/api/runs?channelId=${channelId}`, undefined, admin)).body
        .runs;
      return r[0]?.deliveryStatus === "sent" && r;
    }, 15_000);
    expect(runs[0]).toMatchObject({ deliveryAttempts: 1 });
    expect(graph.sent).toEqual([expect.objectContaining({ body: expect.stringContaining("You said: still there?") })]);
    expect(graph.typing).toEqual([]);
  }, 20_000);
});
