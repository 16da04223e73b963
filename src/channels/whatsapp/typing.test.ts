/**
 * The WhatsApp typing request and the fake Graph API's checks of it: the body Meta documents,
 * the person's message id, the bearer token, and nothing sent for a reply that answers no message.
 */
import { describe, expect, it } from "vitest";
import type { ChannelContext } from "../shared/types";
import { whatsappAdapter, type WhatsAppConfig } from ".";
import { createGraphApiFake } from "./fake-graph-api";
import { typingIndicatorBody } from "./typing";

const config: WhatsAppConfig = {
  phoneNumberId: "27681414235104944",
  accessToken: "EAAG-test-access-token-0123456789",
  appSecret: "app-secret-0123456789abcdef",
  apiBase: "https://graph.test/v21.0",
};
const WAMID = "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA";

function setup() {
  const graph = createGraphApiFake({ accessToken: config.accessToken, phoneNumberId: config.phoneNumberId });
  const calls: { url: string; body: unknown }[] = [];
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    calls.push({ url: request.url, body: await request.clone().json() });
    return graph.handle(request);
  }) as typeof fetch;
  const ctx: ChannelContext<WhatsAppConfig> = { channelId: "ch_wa", config, publicUrl: "https://gw.test", now: Date.now(), fetch: fetchFn };
  return { graph, calls, ctx };
}

const post = (graph: ReturnType<typeof setup>["graph"], body: unknown, token = config.accessToken) =>
  graph.handle(
    new Request(`https://graph.test/v21.0/${config.phoneNumberId}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );

describe("WhatsApp typing indicator", () => {
  it("posts Meta's documented body for the person's message", async () => {
    const { graph, calls, ctx } = setup();
    graph.userWrote("16505551234", Date.now(), WAMID);
    await whatsappAdapter.typing!.show({ recipient: "16505551234", inReplyTo: WAMID }, ctx);
    expect(calls).toEqual([
      {
        url: `https://graph.test/v21.0/${config.phoneNumberId}/messages`,
        body: { messaging_product: "whatsapp", status: "read", message_id: WAMID, typing_indicator: { type: "text" } },
      },
    ]);
    expect(graph.typing).toEqual([{ messageId: WAMID, at: expect.any(Number) }]);
  });

  it("sends nothing for a reply that answers no message", async () => {
    const { calls, ctx } = setup();
    await whatsappAdapter.typing!.show({ recipient: "16505551234" }, ctx);
    expect(calls).toEqual([]);
  });

  it("the fake answers as Graph: success only for a received message, with the token and a text indicator", async () => {
    const { graph } = setup();
    graph.userWrote("16505551234", Date.now(), WAMID);
    expect(await (await post(graph, typingIndicatorBody(WAMID))).json()).toEqual({ success: true });
    expect((await post(graph, typingIndicatorBody(WAMID), "EAAG-wrong-token-000000000")).status).toBe(401);
    const unknown = await post(graph, typingIndicatorBody("wamid.NOT-RECEIVED"));
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { code: number } }).error.code).toBe(100);
    expect((await post(graph, { ...typingIndicatorBody(WAMID), typing_indicator: { type: "audio" } })).status).toBe(400);
    expect((await post(graph, { ...typingIndicatorBody(WAMID), messaging_product: undefined })).status).toBe(400);
    expect((await post(graph, { ...typingIndicatorBody(WAMID), status: "typing" })).status).toBe(400);
    expect(graph.typing).toHaveLength(1);
  });
});
