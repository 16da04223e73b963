import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ChannelContext } from "../shared/types";
import { CUSTOMER_SERVICE_WINDOW_MS, whatsappAdapter, type WhatsAppConfig } from ".";
import { whatsappSendResult } from "./errors";
import { toWhatsAppText } from "./format";
import { createGraphApiFake } from "./fake-graph-api";
import imageWithCaption from "./fixtures/image-with-caption.json";
import statusSent from "./fixtures/status-sent.json";
import textMessage from "./fixtures/text-message.json";

const NOW = Date.UTC(2026, 10, 21, 12);
const config: WhatsAppConfig = {
  phoneNumberId: "27681414235104944",
  accessToken: "EAAG-test-access-token-0123456789",
  appSecret: "app-secret-0123456789abcdef",
  verifyToken: "verify-token-0123456789",
  apiBase: "https://graph.test/v21.0",
  appId: "1234567890",
};

function context(overrides: Partial<ChannelContext<WhatsAppConfig>> = {}): ChannelContext<WhatsAppConfig> {
  return { channelId: "ch_wa", config, publicUrl: "https://gw.test", now: NOW, fetch, ...overrides };
}

function signed(body: string, secret = config.appSecret): Request {
  const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  return new Request("https://gw.test/hooks/ch_wa", {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-signature-256": signature },
    body,
  });
}

describe("WhatsApp webhook verification", () => {
  const handshake = (query: string) => whatsappAdapter.verify!(new Request(`https://gw.test/hooks/ch_wa?${query}`), context());

  it("echoes hub.challenge when the verify token matches", async () => {
    const result = await handshake("hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=verify-token-0123456789");
    if (result.kind !== "response") throw new Error(result.kind);
    expect(result.response.status).toBe(200);
    expect(await result.response.text()).toBe("1158201444");
  });
  it("answers 403 to a wrong token or mode", async () => {
    expect(await handshake("hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong-token-0123456789")).toMatchObject({ kind: "rejected", status: 403 });
    expect(await handshake("hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=verify-token-0123456789")).toMatchObject({ kind: "rejected", status: 403 });
  });
  it("answers 401 to a missing, malformed or wrong X-Hub-Signature-256", async () => {
    const body = JSON.stringify(textMessage);
    const unsigned = new Request("https://gw.test/hooks/ch_wa", { method: "POST", body });
    expect(await whatsappAdapter.verify!(unsigned, context())).toMatchObject({ kind: "rejected", status: 401, error: "missing X-Hub-Signature-256 header" });
    const malformed = new Request("https://gw.test/hooks/ch_wa", { method: "POST", body, headers: { "x-hub-signature-256": "sha1=abc" } });
    expect(await whatsappAdapter.verify!(malformed, context())).toMatchObject({ kind: "rejected", status: 401 });
    expect(await whatsappAdapter.verify!(signed(body, "another-app-secret-0123"), context())).toMatchObject({
      kind: "rejected",
      status: 401,
      error: "X-Hub-Signature-256 does not match",
    });
  });
  it("normalises Meta's text message example", async () => {
    const result = await whatsappAdapter.verify!(signed(JSON.stringify(textMessage)), context());
    expect(result).toEqual({
      kind: "messages",
      messages: [
        {
          senderId: "16315551234",
          senderName: "Kerry Fisher",
          platformMessageId: "wamid.ABGGFlCGg0cvAgo-sJQh43L5Pe4W",
          text: "Hello this is an answer",
          attachments: undefined,
          replyContext: { lastInboundAt: "1603059201000" },
        },
      ],
    });
  });
  it("takes an image's caption and notes the image", async () => {
    const result = await whatsappAdapter.verify!(signed(JSON.stringify(imageWithCaption)), context());
    expect(result).toMatchObject({
      kind: "messages",
      messages: [{ text: "This is a caption\n[photo]", attachments: [{ type: "image/jpeg", url: "whatsapp-media:2754859441498128" }] }],
    });
  });
  it("acknowledges status updates and other numbers' events with nothing to process", async () => {
    const status = await whatsappAdapter.verify!(signed(JSON.stringify(statusSent)), context());
    expect(status).toMatchObject({ kind: "response" });
    const other = await whatsappAdapter.verify!(signed(JSON.stringify(textMessage)), context({ config: { ...config, phoneNumberId: "999" } }));
    expect(other).toMatchObject({ kind: "response" });
  });
  it("rejects a signed body that is not a WhatsApp notification with 400", async () => {
    expect(await whatsappAdapter.verify!(signed(JSON.stringify({ object: "page", entry: [] })), context())).toMatchObject({ kind: "rejected", status: 400 });
  });
});

describe("WhatsApp replies through the Graph API", () => {
  const outbound = {
    recipient: "16315551234",
    inReplyTo: "wamid.ABGGFlCGg0cvAgo-sJQh43L5Pe4W",
    text: "**Canberra** is the capital.",
    deliveryId: "msg_1:0000",
    replyContext: { lastInboundAt: String(NOW - 60_000) },
  };
  const setup = () => {
    const graph = createGraphApiFake({ accessToken: config.accessToken, phoneNumberId: config.phoneNumberId, now: () => NOW });
    graph.userWrote("16315551234", NOW - 60_000);
    return { graph, ctx: context({ fetch: (async (input: RequestInfo | URL, init?: RequestInit) => graph.handle(new Request(input, init))) as typeof fetch }) };
  };

  it("posts a quoted text message with WhatsApp markup and returns the wamid", async () => {
    const { graph, ctx } = setup();
    expect(await whatsappAdapter.send(outbound, ctx)).toEqual({ ok: true, platformMessageId: "wamid.FAKE000001" });
    expect(graph.sent).toEqual([
      { id: "wamid.FAKE000001", to: "16315551234", body: "*Canberra* is the capital.", contextMessageId: "wamid.ABGGFlCGg0cvAgo-sJQh43L5Pe4W" },
    ]);
  });
  it("refuses a reply outside the 24-hour window before calling Graph, with a clear final error", async () => {
    const { graph, ctx } = setup();
    const stale = { ...outbound, replyContext: { lastInboundAt: String(NOW - CUSTOMER_SERVICE_WINDOW_MS - 1) } };
    expect(await whatsappAdapter.send(stale, ctx)).toMatchObject({
      ok: false,
      retryable: false,
      error: expect.stringContaining("24-hour customer service window"),
    });
    expect(graph.sent).toEqual([]);
  });
  it("maps Graph errors: throughput and pair limits retried, re-engagement and bad token final", async () => {
    const { graph, ctx } = setup();
    graph.failNext(130429, 131056, 4, 131047, 190, 131000);
    expect(await whatsappAdapter.send(outbound, ctx)).toMatchObject({
      ok: false,
      retryable: true,
      retryAfterMs: undefined,
      error: expect.stringContaining("code 130429"),
    });
    expect(await whatsappAdapter.send(outbound, ctx)).toMatchObject({ ok: false, retryable: true, retryAfterMs: 6000 });
    expect(await whatsappAdapter.send(outbound, ctx)).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining("HTTP 429") });
    expect(await whatsappAdapter.send(outbound, ctx)).toMatchObject({
      ok: false,
      retryable: false,
      error: expect.stringContaining("24-hour customer service window"),
    });
    expect(await whatsappAdapter.send(outbound, ctx)).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining("accessToken") });
    expect(await whatsappAdapter.send(outbound, ctx)).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining("131000") });
    expect(graph.sent).toEqual([]);
  });
  it("honours Retry-After and treats a network failure as retryable", async () => {
    const limited = new Response(JSON.stringify({ error: { code: 4, message: "(#4) Application request limit reached" } }), {
      status: 429,
      headers: { "retry-after": "3" },
    });
    expect(await whatsappSendResult(limited)).toMatchObject({ ok: false, retryable: true, retryAfterMs: 3000 });
    const down = context({ fetch: (async () => Promise.reject(new TypeError("fetch failed"))) as typeof fetch });
    expect(await whatsappAdapter.send(outbound, down)).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining("network error") });
  });

  it("setup subscribes the webhook through the Graph API, which verifies it with a GET", async () => {
    const graph = createGraphApiFake({
      accessToken: config.accessToken,
      phoneNumberId: config.phoneNumberId,
      appId: config.appId,
      appSecret: config.appSecret,
      wabaId: "102290129340398",
      fetch: async (url) => {
        const result = await whatsappAdapter.verify!(new Request(url), context());
        return result.kind === "response"
          ? result.response
          : new Response(result.kind === "rejected" ? result.error : "", { status: result.kind === "rejected" ? result.status : 500 });
      },
    });
    const ctx = context({
      config: { ...config, wabaId: "102290129340398" },
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => graph.handle(new Request(input, init))) as typeof fetch,
    });
    const result = await whatsappAdapter.setup!(ctx);
    expect(result.ok).toBe(true);
    expect(graph.subscriptions).toEqual([{ callbackUrl: "https://gw.test/hooks/ch_wa", fields: "messages" }]);
    expect(graph.subscribedWabas).toEqual(["102290129340398"]);

    const wrongToken = await whatsappAdapter.setup!({ ...ctx, config: { ...ctx.config, verifyToken: "a-different-token-0123456" } });
    expect(wrongToken).toMatchObject({ ok: false, steps: [expect.stringContaining("2200")] });
  });
  it("setup without appId returns the dashboard steps with the callback URL", async () => {
    const result = await whatsappAdapter.setup!(context({ config: { ...config, appId: undefined } }));
    expect(result.ok).toBe(true);
    expect(result.steps.join("\n")).toContain("Callback URL: https://gw.test/hooks/ch_wa");
  });
});

describe("WhatsApp markup", () => {
  it("turns Markdown into WhatsApp formatting and leaves code alone", () => {
    expect(toWhatsAppText("# Title\n**bold**, ~~gone~~ and [docs](https://example.org)\n- item")).toBe(
      "*Title*\n*bold*, ~gone~ and docs (https://example.org)\n• item",
    );
    expect(toWhatsAppText("```ts\nconst a = **b**;\n```")).toBe("```const a = **b**;\n```");
  });
});
