/**
 * Streamed replies for a bridge-served channel, in workerd (docs/streaming.md): the Matrix
 * adapter hands the reply so far to its bridge's hub, which sends it as a `reply.progress` frame
 * while the bridge is connected and drops it otherwise: never stored, never sent on a later
 * connection, unlike the finished reply, which waits in the queue for the bridge.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { bridgeHub } from "../../objects/addresses";
import { bridgeQueue } from "../../../workers/bridge-hub";
import { adminToken, BASE, call, connectFakeBridge, eventually } from "../../../test/worker/helpers";
import { matrixAdapter, type MatrixConfig } from "./index";

describe("Matrix reply progress through the bridge hub", () => {
  it("sends the reply so far only to the connected bridge serving the channel, and keeps none of it", async () => {
    const admin = await adminToken();
    const created = await call<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: "matrix-stream" }, admin);
    const bridgeId = created.body.bridge.id;
    const config: MatrixConfig = {
      bridgeId,
      homeserverUrl: "https://matrix.example.org",
      userId: "@loopbot:example.org",
      deviceId: "LOOPBOTDEVICE",
      accessToken: "syt_streaming_worker_token",
    };
    const ch = await call<{ channel: { id: string } }>("POST", "/api/channels", { type: "matrix", name: "Matrix stream", config }, admin);
    expect(ch.status, JSON.stringify(ch.body)).toBe(201);
    const channelId = ch.body.channel.id;
    const relayed = matrixAdapter.relayedStreaming;
    if (!relayed) throw new Error("the Matrix adapter does not stream");
    const ctx = { channelId, config, publicUrl: BASE, now: Date.now(), fetch, bridges: bridgeQueue(env) };
    const target = { recipient: "@alice:example.org", conversationId: "!dm:example.org", inReplyTo: "$question", replyContext: { eventId: "$question" } };

    // Not connected yet: dropped, nothing to send later.
    expect(await relayed.relay({ ...target, text: "Before the bridge is here", deliveryId: "in_early:0000" }, ctx)).toBe(false);

    const first = await connectFakeBridge(created.body.token, 200);
    await eventually(async () => first.frames.some((f) => f.t === "channels"));
    expect(await relayed.relay({ ...target, text: "The answer so far", deliveryId: "in_t1:0000" }, ctx)).toBe(true);
    const frame = await eventually(async () => first.frames.find((f) => f.t === "reply.progress"));
    expect(frame).toEqual({ t: "reply.progress", replyId: "in_t1:0000", channelId, ...target, text: "The answer so far" });

    // A channel this bridge does not serve gets nothing through it.
    expect(await relayed.relay({ ...target, text: "Elsewhere", deliveryId: "in_t2:0000" }, { ...ctx, channelId: "ch_not_served" })).toBe(false);

    // The finished reply is queued; the progress was never stored.
    expect(await matrixAdapter.send({ ...target, text: "The answer, finished.", deliveryId: "in_t1:0000" }, ctx)).toEqual({ ok: true });
    const stored = await runInDurableObject(bridgeHub(env, bridgeId), (_instance, state) =>
      state.storage.sql.exec<{ frame: string }>("SELECT frame FROM replies").toArray(),
    );
    expect(stored.map((r) => JSON.parse(r.frame) as { t: string; text: string })).toEqual([
      expect.objectContaining({ t: "reply", id: "in_t1:0000", text: "The answer, finished." }),
    ]);

    // The bridge goes away: changes are dropped. On its next connection only the finished reply comes.
    first.ws.close(1000, "restart");
    await eventually(async () => (await relayed.relay({ ...target, text: "While away", deliveryId: "in_t3:0000" }, ctx)) === false);
    const second = await connectFakeBridge(created.body.token, 200);
    await eventually(async () => second.frames.some((f) => f.t === "reply" && f.id === "in_t1:0000"));
    expect(second.frames.filter((f) => f.t === "reply.progress")).toEqual([]);
    second.ws.close();
  });
});
