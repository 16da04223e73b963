/**
 * Files the agent sends on bridge-served channels, in workerd (docs/media.md): the bridged
 * adapter's `sendFile` queues a reply frame that names the file (and carries the line naming it
 * as its text), the BridgeHub keeps the bytes, and the bridge fetches them from
 * `GET /bridge/files/<reply id>` with its own token. Another bridge's token, no token, a channel
 * that moved to another bridge, an expired file and an acknowledged reply are all refused.
 */
import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { telegramPollingAdapter } from "../../src/channels/telegram/polling";
import { bridgeHub } from "../../src/objects/addresses";
import { bridgeQueue } from "../../workers/bridge-hub";
import { adminToken, BASE, call, eventually, connectFakeBridge } from "./helpers";

/** A 1x1 PNG. */
const PNG = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="), (c) => c.charCodeAt(0));
const BOT_TOKEN = "123456789:AAbridgeFilesWorkerTestToken";

const connectBridge = (token: string) => connectFakeBridge(token, 200);

const fetchFile = (id: string, token?: string) =>
  SELF.fetch(`${BASE}/bridge/files/${encodeURIComponent(id)}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe("files for bridge-served channels", () => {
  it("queues a frame naming the file and hands the bytes only to the channel's bridge, until acknowledged", async () => {
    const admin = await adminToken();
    const a = await call<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: "files-a" }, admin);
    const b = await call<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: "files-b" }, admin);
    const config = { bridgeId: a.body.bridge.id, botToken: BOT_TOKEN, apiBase: "https://telegram.fake" };
    const ch = await call<{ channel: { id: string } }>("POST", "/api/channels", { type: "telegram-polling", name: "tg poll", config }, admin);
    expect(ch.status).toBe(201);
    const channelId = ch.body.channel.id;
    const { ws, frames } = await connectBridge(a.body.token);

    const deliveryId = `dlv_${crypto.randomUUID()}:file:0`;
    const sent = await telegramPollingAdapter.sendFile!(
      { recipient: "1111111", deliveryId, text: "", replyContext: { messageId: "42" }, file: { name: "chart.png", mediaType: "image/png", bytes: PNG } },
      { channelId, config, publicUrl: BASE, now: Date.now(), fetch, bridges: bridgeQueue(env) },
    );
    expect(sent).toEqual({ ok: true });

    // The frame names the file; its text is what the bridge sends if the upload cannot be made.
    const frame = await eventually(async () => frames.find((f) => f.t === "reply" && f.id === deliveryId));
    expect(frame).toMatchObject({
      channelId,
      recipient: "1111111",
      replyContext: { messageId: "42" },
      file: { name: "chart.png", mediaType: "image/png", size: PNG.length },
      text: `(The assistant made a file for you, chart.png (${PNG.length} B), but it could not be attached on this channel.)`,
    });
    expect(JSON.stringify(frame)).not.toContain("iVBOR");

    const got = await fetchFile(deliveryId, a.body.token);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("image/png");
    expect(got.headers.get("cache-control")).toBe("no-store");
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(PNG);

    expect((await fetchFile(deliveryId)).status).toBe(401);
    expect((await fetchFile(deliveryId, "lgb_not-a-real-token")).status).toBe(401);
    // Bridge B's token reaches only B's hub, where no such file waits.
    expect((await fetchFile(deliveryId, b.body.token)).status).toBe(404);
    expect((await fetchFile("dlv_unknown", a.body.token)).status).toBe(404);

    // Acknowledged: the bytes are dropped.
    ws.send(JSON.stringify({ t: "reply.ack", id: deliveryId, ok: true }));
    await eventually(async () => (await fetchFile(deliveryId, a.body.token)).status === 404);
    ws.close();
  });

  it("refuses a file whose channel moved to another bridge, and one that expired", async () => {
    const admin = await adminToken();
    const a = await call<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: "files-move-a" }, admin);
    const b = await call<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: "files-move-b" }, admin);
    const config = { bridgeId: a.body.bridge.id, botToken: BOT_TOKEN, apiBase: "https://telegram.fake" };
    const ch = await call<{ channel: { id: string } }>("POST", "/api/channels", { type: "telegram-polling", name: "tg move", config }, admin);
    const channelId = ch.body.channel.id;
    const queue = bridgeQueue(env);
    const send = (deliveryId: string) =>
      telegramPollingAdapter.sendFile!(
        {
          recipient: "1111111",
          deliveryId,
          text: "",
          file: { name: "totals.csv", mediaType: "text/plain", bytes: Uint8Array.from(new TextEncoder().encode("a,b\n1,2\n")) },
        },
        { channelId, config, publicUrl: BASE, now: Date.now(), fetch, bridges: queue },
      );
    expect(await send("dlv_expiring")).toEqual({ ok: true });
    expect(await send("dlv_moving")).toEqual({ ok: true });
    expect((await fetchFile("dlv_moving", a.body.token)).status).toBe(200);

    // Expired: 410, also once the alarm has pruned the bytes while the reply still waits.
    const hub = bridgeHub(env, a.body.bridge.id);
    await runInDurableObject(hub, (_instance, state) => {
      state.storage.sql.exec("UPDATE reply_files SET expires_at = ? WHERE id = ?", Date.now() - 1, "dlv_expiring");
    });
    const expired = await fetchFile("dlv_expiring", a.body.token);
    expect(expired.status).toBe(410);
    expect(((await expired.json()) as { error: string }).error).toMatch(/expired/);
    await runInDurableObject(hub, (_instance, state) => {
      state.storage.sql.exec("DELETE FROM reply_files WHERE id = ?", "dlv_expiring");
    });
    expect((await fetchFile("dlv_expiring", a.body.token)).status).toBe(410);

    // The channel now belongs to bridge B: bridge A may no longer read its file.
    const moved = await call("PUT", `/api/channels/${channelId}`, { config: { ...config, bridgeId: b.body.bridge.id } }, admin);
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const refused = await fetchFile("dlv_moving", a.body.token);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toMatch(/not served by this bridge/);
  });
});
