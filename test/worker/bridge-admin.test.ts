/**
 * What the admin sees and hears of a bridge, in workerd: a bridge socket reports a channel
 * needing login with a QR string, which the channel row and GET /api/bridges show until the
 * channel connects; the bridge's notify setting is validated, and when the hub marks the
 * bridge down (and up again) the named recipient gets a notice through the normal pipeline.
 */
import { env, runDurableObjectAlarm, SELF } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { adminToken, BASE, call, createWebhookChannel, eventually, fakeCallbacks } from "./helpers";

const QR = "2@hH3mZ1k9s0fakeQRref,Tm9pc2UgcHVibGlj,SWRlbnRpdHkgcHVi,QWR2IHNlY3JldA==";

async function connectBridge(token: string): Promise<WebSocket> {
  const res = await SELF.fetch(`${BASE}/bridge/connect`, { headers: { upgrade: "websocket", authorization: `Bearer ${token}` } });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  ws.accept();
  ws.send(JSON.stringify({ t: "hello", version: "test", heartbeatMs: 200 }));
  return ws;
}

type BridgeBody = {
  bridge: {
    id: string;
    status: string;
    notifyChannelId: string | null;
    notifyRecipient: string | null;
    channels: { id: string; status: string; statusDetail: string | null }[];
  };
};

describe("bridge state and notices for the admin", () => {
  let callbacks: ReturnType<typeof fakeCallbacks> | undefined;
  afterEach(() => callbacks?.restore());

  it("validates the notify target", async () => {
    const token = await adminToken();
    const hook = await createWebhookChannel(token);
    expect((await call("POST", "/api/bridges", { name: "b", notifyChannelId: hook.id }, token)).status).toBe(400);
    const missing = await call<{ error: string }>("POST", "/api/bridges", { name: "b", notifyChannelId: "ch_nope", notifyRecipient: "ops" }, token);
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatch(/no channel ch_nope/);

    const created = await call<BridgeBody>("POST", "/api/bridges", { name: "b" }, token);
    const bridgeId = created.body.bridge.id;
    const served = await call<{ channel: { id: string } }>(
      "POST",
      "/api/channels",
      { type: "signal", name: "s", config: { bridgeId, account: "+15550000009", daemon: "127.0.0.1:1" } },
      token,
    );
    const own = await call<{ error: string }>(
      "PUT",
      `/api/bridges/${bridgeId}`,
      { notifyChannelId: served.body.channel.id, notifyRecipient: "+15550000010" },
      token,
    );
    expect(own.status).toBe(400);
    expect(own.body.error).toMatch(/served by this bridge/);

    const set = await call<BridgeBody>("PUT", `/api/bridges/${bridgeId}`, { notifyChannelId: hook.id, notifyRecipient: "ops" }, token);
    expect(set.status).toBe(200);
    expect(set.body.bridge).toMatchObject({ notifyChannelId: hook.id, notifyRecipient: "ops" });
    const cleared = await call<BridgeBody>("PUT", `/api/bridges/${bridgeId}`, { notifyChannelId: null, notifyRecipient: null }, token);
    expect(cleared.body.bridge).toMatchObject({ notifyChannelId: null, notifyRecipient: null });
  });

  it("shows a reported login QR on the channel row and the bridge until the channel connects", async () => {
    const token = await adminToken();
    const created = await call<BridgeBody & { token: string }>("POST", "/api/bridges", { name: "qr" }, token);
    const bridgeId = created.body.bridge.id;
    const ch = await call<{ channel: { id: string; config: Record<string, unknown> } }>(
      "POST",
      "/api/channels",
      { type: "whatsapp-web", name: "WhatsApp", config: { bridgeId } },
      token,
    );
    expect(ch.status).toBe(201);
    expect(ch.body.channel.config).toEqual({ bridgeId, groups: true });
    const channelId = ch.body.channel.id;
    const ws = await connectBridge(created.body.token);
    await eventually(async () => (await call<BridgeBody>("GET", `/api/bridges/${bridgeId}`, undefined, token)).body.bridge.status === "up");

    ws.send(JSON.stringify({ t: "state", channelId, state: "needs_login", reason: "scan the QR code with WhatsApp", detail: QR }));
    const row = async () =>
      (
        await call<{ channel: { status: string; lastError: string | null; statusDetail: string | null } }>(
          "GET",
          `/api/channels/${channelId}`,
          undefined,
          token,
        )
      ).body.channel;
    await eventually(async () => (await row()).status === "needs_login");
    expect(await row()).toMatchObject({ lastError: "scan the QR code with WhatsApp", statusDetail: QR });
    const listed = await call<{ bridges: BridgeBody["bridge"][] }>("GET", "/api/bridges", undefined, token);
    expect(listed.body.bridges.find((b) => b.id === bridgeId)?.channels).toEqual([
      expect.objectContaining({ id: channelId, status: "needs_login", statusDetail: QR }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token);

    ws.send(JSON.stringify({ t: "state", channelId, state: "connected" }));
    await eventually(async () => (await row()).status === "connected");
    expect(await row()).toMatchObject({ lastError: null, statusDetail: null });
    ws.close(1000, "done");
  });

  it("tells the notify recipient when the bridge goes down and when it is back", async () => {
    const token = await adminToken();
    callbacks = fakeCallbacks();
    const hook = await createWebhookChannel(token, { policy: "open" });
    const created = await call<BridgeBody & { token: string }>(
      "POST",
      "/api/bridges",
      { name: "vps-7", notifyChannelId: hook.id, notifyRecipient: "ops-oncall" },
      token,
    );
    const bridgeId = created.body.bridge.id;
    const hub = env.BRIDGE_HUB.get(env.BRIDGE_HUB.idFromName(bridgeId));

    const ws = await connectBridge(created.body.token);
    await eventually(async () => (await call<BridgeBody>("GET", `/api/bridges/${bridgeId}`, undefined, token)).body.bridge.status === "up");
    // The first connection is not news: no notice.
    ws.close(1000, "gone quiet");
    // Down once the heartbeats have been missed long enough: run the hub's alarm until it says so.
    await eventually(async () => {
      await runDurableObjectAlarm(hub);
      return (await call<BridgeBody>("GET", `/api/bridges/${bridgeId}`, undefined, token)).body.bridge.status === "down";
    });
    await eventually(async () => callbacks!.captured.length >= 1);
    expect(callbacks.captured[0]!.body).toMatchObject({
      channelId: hook.id,
      recipient: "ops-oncall",
      text: expect.stringMatching(/^Bridge "vps-7" is down \(bridge offline: no heartbeat/),
    });

    const again = await connectBridge(created.body.token);
    await eventually(async () => callbacks!.captured.length >= 2);
    expect(callbacks.captured[1]!.body).toMatchObject({ recipient: "ops-oncall", text: expect.stringMatching(/^Bridge "vps-7" is back up after \d+ s down;/) });
    expect(callbacks.captured).toHaveLength(2);
    again.close(1000, "done");
  });
});
