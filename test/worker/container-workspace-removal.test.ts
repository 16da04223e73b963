/**
 * Deleting a sender removes their container workspace, in workerd with a real BridgeHub: the
 * admin's DELETE /api/sessions/:id on a container-mode channel sends `workspace.remove` to the
 * bridge that runs the channel's containers, sends it again on every connection until the bridge
 * answers `workspace.removed`, and then forgets it. A channel in direct mode sends nothing.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { bridgeHub } from "../../src/objects/addresses";
import { sessionId } from "../../src/objects/session-id";
import { adminToken, BASE, call, createWebhookChannel, eventually, message, signedPost, connectFakeBridge, type HubFrameSeen } from "./helpers";

type Frame = HubFrameSeen;
let token: string;
beforeAll(async () => {
  token = await adminToken();
});

const connectBridge = (bridgeToken: string) => connectFakeBridge<Frame>(bridgeToken, 200);

const pendingRemovals = (bridgeId: string) =>
  runInDurableObject(bridgeHub(env, bridgeId), (_i, state) => state.storage.sql.exec<{ id: string }>("SELECT id FROM workspace_removals").toArray());

describe("deleting a sender of a container channel", () => {
  it("asks the channel's bridge to remove their workspace until it confirms", async () => {
    const bridge = await call<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: "workspaces" }, token);
    const bridgeId = bridge.body.bridge.id;
    const first = await connectBridge(bridge.body.token);
    const channel = await createWebhookChannel(token, { policy: "open", agent: { container: true, containerBridgeId: bridgeId } });
    expect((await signedPost(channel.url, channel.secret, message("ana", "make a file"))).status).toBe(200);
    const turn = await eventually(async () => first.frames.find((f) => f.t === "turn"));
    first.ws.send(JSON.stringify({ t: "turn.accepted", id: turn.id }));
    const result = { outcome: "answered", text: "made it", calls: [], steps: 1, toolCalls: 0, queuedMs: 0, runMs: 5 };
    first.ws.send(JSON.stringify({ t: "turn.result", id: turn.id, result }));
    await eventually(async () => first.frames.find((f) => f.t === "turn.result.ack"));

    // The session row is written once the turn is recorded.
    const path = `/api/sessions/${encodeURIComponent(sessionId(channel.id, "ana"))}`;
    const deleted = await eventually(async () => {
      const res = await call<{ deleted: string; workspace?: unknown }>("DELETE", path, undefined, token);
      return res.status === 200 ? res : undefined;
    });
    expect(deleted.body.workspace).toEqual({ bridgeId, removal: "queued" });
    const removal = await eventually(async () => first.frames.find((f) => f.t === "workspace.remove"));
    expect(removal).toMatchObject({ channelId: channel.id, senderId: "ana", id: expect.stringMatching(/^wsrm_/) });

    // Not confirmed (the bridge was busy or the link dropped): sent again on the next connection, same id.
    first.ws.close();
    const second = await connectBridge(bridge.body.token);
    const again = await eventually(async () => second.frames.find((f) => f.t === "workspace.remove"));
    expect(again).toEqual(removal);
    expect(await pendingRemovals(bridgeId)).toHaveLength(1);

    second.ws.send(JSON.stringify({ t: "workspace.removed", id: removal.id }));
    await eventually(async () => ((await pendingRemovals(bridgeId)).length === 0 ? true : undefined));
    second.ws.close();
  }, 30_000);

  it("sends nothing for a channel whose agent runs in the Worker", async () => {
    const channel = await createWebhookChannel(token, { policy: "open" });
    expect((await signedPost(channel.url, channel.secret, message("bo", "hello"))).status).toBe(200);
    const id = encodeURIComponent(sessionId(channel.id, "bo"));
    const deleted = await eventually(async () => {
      const res = await call<{ deleted: string; workspace?: unknown }>("DELETE", `/api/sessions/${id}`, undefined, token);
      return res.status === 200 ? res : undefined;
    });
    expect(deleted.body).toEqual({ deleted: sessionId(channel.id, "bo") });
  }, 30_000);
});
