/**
 * The gateway's tools in a container run, in workerd with a real BridgeHub and SenderSession:
 * the turn a bridge receives names the gateway tools it was offered (by the sender's tier); a
 * `turn.tool` call for one of them is run by the sender's object and answered on the link, and
 * a call for any other tool (here one with side effects, which a public sender is never given)
 * is refused by the hub without reaching the object.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { listNotes } from "../../src/agent/memory-store";
import { senderSession } from "../../src/objects/addresses";
import { beforeAll, describe, expect, it } from "vitest";
import { adminToken, BASE, call, createWebhookChannel, eventually, message, signedPost, connectFakeBridge, type HubFrameSeen } from "./helpers";

type Frame = HubFrameSeen;
let token: string;
beforeAll(async () => {
  token = await adminToken();
});

const connectBridge = (bridgeToken: string) => connectFakeBridge<Frame>(bridgeToken, 200);

describe("gateway tools asked for by a container run", () => {
  it("runs the offered ones in the sender's object and refuses the rest at the hub", async () => {
    const bridge = await call<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: "containers" }, token);
    const { ws, frames } = await connectBridge(bridge.body.token);
    // An open channel: its senders are public, so only the side-effect-free gateway tools.
    const channel = await createWebhookChannel(token, { policy: "open", agent: { container: true, containerBridgeId: bridge.body.bridge.id } });
    expect((await signedPost(channel.url, channel.secret, message("pub", "remember that I am public"))).status).toBe(200);

    const turn = await eventually(async () => frames.find((f) => f.t === "turn"));
    const spec = turn.spec as { gatewayTools?: string[]; tools: { name: string }[] };
    expect(spec.gatewayTools).toEqual(["current_time", "recall"]);
    expect(spec.tools.map((t) => t.name)).toEqual(["current_time", "recall"]);
    ws.send(JSON.stringify({ t: "turn.accepted", id: turn.id }));

    const ask = async (callId: string, name: string, input: unknown) => {
      ws.send(JSON.stringify({ t: "turn.tool", id: turn.id, callId, name, input }));
      return eventually(async () => frames.find((f) => f.t === "turn.tool.result" && f.callId === callId));
    };
    const refused = await ask("c-1", "remember_note", { note: "planted by the container" });
    expect(refused).toMatchObject({ id: turn.id, isError: true, content: "tool remember_note is not available in this run" });
    const recalled = await ask("c-2", "recall", { query: "planted" });
    expect(recalled).toMatchObject({ content: "no saved note matches" });
    expect(recalled.isError).toBeUndefined();
    const notes = await runInDurableObject(senderSession(env, channel.id, "pub"), (_i, state) => listNotes(state.storage.sql));
    expect(notes).toEqual([]);

    // A run the hub does not know (or no longer waits for) gets nothing run either.
    const unknown = await (async () => {
      ws.send(JSON.stringify({ t: "turn.tool", id: "run_unknown", callId: "c-3", name: "recall", input: { query: "x" } }));
      return eventually(async () => frames.find((f) => f.t === "turn.tool.result" && f.callId === "c-3"));
    })();
    expect(unknown).toMatchObject({ isError: true });
    ws.close();
  });
});
