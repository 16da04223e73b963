import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createGraphApiFake, type GraphApiFake } from "./fake-graph-api";
import statusSent from "./fixtures/status-sent.json";
import textMessage from "./fixtures/text-message.json";
import { settleWithControl } from "../../../test/support/after-control";
import { adminToken, call, eventually, hmacHex, routeFetchTo } from "../../../test/worker/helpers";

const GRAPH = "https://graph.test/v21.0";
const APP_SECRET = "app-secret-0123456789abcdef";
const ACCESS_TOKEN = "EAAG-test-access-token-0123456789";

let token: string;
beforeAll(async () => {
  token = await adminToken();
});

/** Routes the Worker's (and its objects') fetches to graph.test into the fake; webhook verification GETs go back to the Worker. */
function fakeGraph(phoneNumberId: string, extra: { appId?: string } = {}): GraphApiFake {
  const graph = createGraphApiFake({ accessToken: ACCESS_TOKEN, phoneNumberId, appSecret: APP_SECRET, ...extra, fetch: (url, init) => SELF.fetch(url, init) });
  routeFetchTo("https://graph.test/", graph.handle);
  return graph;
}

async function whatsappChannel(extraConfig: Record<string, unknown> = {}) {
  const phoneNumberId = String(Date.now()) + String(Math.floor(Math.random() * 1000));
  const res = await call<{ channel: { id: string; inboundUrl: string }; generatedSecrets: { verifyToken: string } }>(
    "POST",
    "/api/channels",
    {
      type: "whatsapp",
      name: `wa ${phoneNumberId}`,
      policy: "open",
      config: { phoneNumberId, accessToken: ACCESS_TOKEN, appSecret: APP_SECRET, apiBase: GRAPH, ...extraConfig },
    },
    token,
  );
  expect(res.status).toBe(201);
  return { id: res.body.channel.id, url: res.body.channel.inboundUrl, verifyToken: res.body.generatedSecrets.verifyToken, phoneNumberId };
}

/** Meta's example notification, addressed to this channel's number, from a given user, sent `ageMs` ago. */
function notification(phoneNumberId: string, from: string, text: string, opts: { id?: string; ageMs?: number } = {}) {
  const n = structuredClone(textMessage);
  const value = n.entry[0]!.changes[0]!.value;
  value.metadata.phone_number_id = phoneNumberId;
  value.contacts[0]!.wa_id = from;
  Object.assign(value.messages[0]!, {
    from,
    text: { body: text },
    id: opts.id ?? `wamid.${crypto.randomUUID()}`,
    timestamp: String(Math.floor((Date.now() - (opts.ageMs ?? 0)) / 1000)),
  });
  return n;
}

async function postSigned(url: string, payload: unknown, secret = APP_SECRET) {
  const body = JSON.stringify(payload);
  return SELF.fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-signature-256": `sha256=${await hmacHex(secret, body)}` },
    body,
  });
}

/** Waits until a fresh message from `from` is answered: what came before it is settled. */
const settled = (ch: { url: string; phoneNumberId: string }, graph: GraphApiFake, from: string) =>
  settleWithControl(
    (text) => postSigned(ch.url, notification(ch.phoneNumberId, from, text)),
    graph.sent,
    (m) => m.body,
  );

type Run = { status: string; deliveryStatus: string; deliveryAttempts: number; deliveryError: string | null };
const runsOf = async (channelId: string) => (await call<{ runs: Run[] }>("GET", `/api/runs?channelId=${channelId}`, undefined, token)).body.runs;
const inboundOf = async (channelId: string) =>
  (await call<{ messages: { direction: string }[] }>("GET", `/api/messages?channelId=${channelId}`, undefined, token)).body.messages.filter(
    (m) => m.direction === "in",
  );

describe("WhatsApp Cloud API channel through the whole pipeline", () => {
  it("answers the GET handshake with hub.challenge only for the right verify token", async () => {
    const ch = await whatsappChannel();
    const ok = await SELF.fetch(`${ch.url}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${ch.verifyToken}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("1158201444");
    expect((await SELF.fetch(`${ch.url}?hub.mode=subscribe&hub.challenge=1&hub.verify_token=nope`)).status).toBe(403);
  });

  it("rejects unsigned and wrongly signed notifications with 401 and stores nothing", async () => {
    const ch = await whatsappChannel();
    const graph = fakeGraph(ch.phoneNumberId);
    graph.userWrote("16315551234");
    const payload = notification(ch.phoneNumberId, "16315551234", "hello");
    expect((await SELF.fetch(ch.url, { method: "POST", body: JSON.stringify(payload) })).status).toBe(401);
    expect((await postSigned(ch.url, payload, "not-the-app-secret-01234")).status).toBe(401);
    await settled(ch, graph, "16315551234");
    expect(await inboundOf(ch.id)).toHaveLength(1); // the control message only
  });

  it("replies through the Graph API, quoting the message, and dedupes Meta's redelivery", async () => {
    const ch = await whatsappChannel();
    const graph = fakeGraph(ch.phoneNumberId);
    graph.userWrote("16315551234");
    const payload = notification(ch.phoneNumberId, "16315551234", "Hello this is an answer", { id: "wamid.ABGGFlCGg0cvAgo-sJQh43L5Pe4W" });
    expect((await postSigned(ch.url, payload)).status).toBe(200);
    expect((await postSigned(ch.url, payload)).status).toBe(200);
    await eventually(async () => graph.sent.length > 0);
    await settled(ch, graph, "16315551234");
    expect(graph.sent).toEqual([
      {
        id: expect.any(String),
        to: "16315551234",
        body: expect.stringContaining("You said: Hello this is an answer"),
        contextMessageId: "wamid.ABGGFlCGg0cvAgo-sJQh43L5Pe4W",
      },
    ]);
    expect(await inboundOf(ch.id)).toHaveLength(2); // the message once, and the control message
    expect(await runsOf(ch.id)).toEqual([expect.objectContaining({ deliveryStatus: "sent" }), expect.objectContaining({ deliveryStatus: "sent" })]);
  });

  it("acknowledges status updates with 200 and processes nothing", async () => {
    const ch = await whatsappChannel();
    const status = structuredClone(statusSent);
    status.entry[0]!.changes[0]!.value.metadata.phone_number_id = ch.phoneNumberId;
    const res = await postSigned(ch.url, status);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, accepted: 0, skipped: 1 });
    expect(await inboundOf(ch.id)).toEqual([]);
  });

  it("splits a reply longer than 4096 characters into ordered messages", async () => {
    const ch = await whatsappChannel();
    const graph = fakeGraph(ch.phoneNumberId);
    graph.userWrote("4915112345678");
    const long = Array.from({ length: 900 }, (_, i) => `word${i}`).join(" ");
    expect((await postSigned(ch.url, notification(ch.phoneNumberId, "4915112345678", long))).status).toBe(200);
    await eventually(async () => (await runsOf(ch.id))[0]?.deliveryStatus === "sent");
    expect(graph.sent.length).toBe(2);
    expect(graph.sent.every((m) => m.body.length <= 4096)).toBe(true);
    expect(graph.sent.map((m) => m.body).join(" ")).toContain("word0 word1");
    expect(graph.sent[1]!.body).toMatch(/word899$/);
  });

  it("retries after Graph's throughput limit (130429) and delivers once", async () => {
    const ch = await whatsappChannel();
    const graph = fakeGraph(ch.phoneNumberId);
    graph.userWrote("447700900123");
    graph.failNext(130429);
    expect((await postSigned(ch.url, notification(ch.phoneNumberId, "447700900123", "are you there?"))).status).toBe(200);
    const runs = await eventually(async () => {
      const r = await runsOf(ch.id);
      return r[0]?.deliveryStatus === "sent" && r;
    });
    expect(runs[0]).toMatchObject({ deliveryAttempts: 2, deliveryError: null });
    expect(graph.sent).toHaveLength(1);
  });

  it("fails the run with a clear error when the 24-hour window has closed, without calling Graph", async () => {
    const ch = await whatsappChannel();
    const graph = fakeGraph(ch.phoneNumberId);
    const dayAndAMinute = 24 * 60 * 60_000 + 60_000;
    expect((await postSigned(ch.url, notification(ch.phoneNumberId, "16315550000", "late reply please", { ageMs: dayAndAMinute }))).status).toBe(200);
    const runs = await eventually(async () => {
      const r = await runsOf(ch.id);
      return r[0]?.deliveryStatus === "failed" && r;
    });
    expect(runs[0]).toMatchObject({ deliveryAttempts: 1, deliveryError: expect.stringContaining("outside WhatsApp's 24-hour customer service window") });
    expect(graph.sent).toEqual([]);
  });

  it("setup registers the webhook through the Graph API, which verifies it against the gateway", async () => {
    const ch = await whatsappChannel({ appId: "1234567890" });
    const graph = fakeGraph(ch.phoneNumberId, { appId: "1234567890" });
    const res = await call<{ ok: boolean; steps: string[] }>("POST", `/api/channels/${ch.id}/setup`, undefined, token);
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
    expect(graph.subscriptions).toEqual([{ callbackUrl: ch.url, fields: "messages" }]);
  });
});
