/**
 * The WhatsApp Cloud API channel end to end: `npm start` as a process, Meta's side played by
 * the Graph API fake on 127.0.0.1 (webhook subscription with its verification GET, the
 * messages endpoint), and notifications signed with the app secret as Meta signs them.
 */
import { createHmac } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { createGraphApiFake } from "./fake-graph-api";
import textMessage from "./fixtures/text-message.json";
import { apiClient, setupAdmin, waitFor } from "../../../test/support/gateway-process";
import { platformGateway } from "../../../test/support/platform-gateway";

const PORT = 8761;
const PHONE_NUMBER_ID = "27681414235104944";
const APP_ID = "1234567890";
const APP_SECRET = "app-secret-0123456789abcdef";
const ACCESS_TOKEN = "EAAG-test-access-token-0123456789";
const USER = "16315551234";

function signedPost(url: string, payload: unknown, secret = APP_SECRET) {
  const body = JSON.stringify(payload);
  const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  return fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": signature }, body });
}

describe("WhatsApp Cloud API channel against npm start", () => {
  let api: ReturnType<typeof apiClient>;
  const graph = createGraphApiFake({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID, appId: APP_ID, appSecret: APP_SECRET });
  let channelId: string;
  let inboundUrl: string;
  const platform = platformGateway({ port: PORT, fake: () => graph.handle, env: () => ({ PUBLIC_URL: `http://127.0.0.1:${PORT}` }) });

  beforeAll(async () => {
    api = (await setupAdmin(platform.gw)).api;
    const created = await api<{ channel: { id: string; inboundUrl: string } }>("POST", "/api/channels", {
      type: "whatsapp",
      name: "WhatsApp",
      policy: "open",
      config: { phoneNumberId: PHONE_NUMBER_ID, accessToken: ACCESS_TOKEN, appSecret: APP_SECRET, appId: APP_ID, apiBase: `${platform.fakeUrl}/v21.0` },
    });
    expect(created.status).toBe(201);
    channelId = created.body.channel.id;
    inboundUrl = created.body.channel.inboundUrl;
  });

  it("setup subscribes the webhook; Meta's verification GET reaches the running gateway", async () => {
    const setup = await api<{ ok: boolean; steps: string[] }>("POST", `/api/channels/${channelId}/setup`);
    expect(setup.status).toBe(200);
    expect(setup.body.ok).toBe(true);
    expect(graph.subscriptions).toEqual([{ callbackUrl: inboundUrl, fields: "messages" }]);
  });

  it("answers a signed notification through the Graph API, quoting the user's message", async () => {
    expect((await signedPost(inboundUrl, textMessage, "not-the-app-secret-01234")).status).toBe(401);

    const payload = structuredClone(textMessage);
    const now = Math.floor(Date.now() / 1000);
    payload.entry[0]!.changes[0]!.value.messages[0]!.timestamp = String(now);
    graph.userWrote(USER, now * 1000);
    const res = await signedPost(inboundUrl, payload);
    expect(res.status).toBe(200);
    await waitFor(async () => graph.sent.length === 1, 30_000, "the WhatsApp reply");
    expect(graph.sent[0]).toMatchObject({
      to: USER,
      contextMessageId: "wamid.ABGGFlCGg0cvAgo-sJQh43L5Pe4W",
      body: expect.stringContaining("You said: Hello this is an answer"),
    });

    const runs = await api<{ runs: { deliveryStatus: string }[] }>("GET", `/api/runs?channelId=${channelId}`);
    expect(runs.body.runs).toEqual([expect.objectContaining({ deliveryStatus: "sent" })]);
  });
});
