/**
 * Container mode through the real Worker without Docker: a fake bridge on /bridge/connect
 * speaks the link protocol (src/protocol/container.ts) and plays the container runner. It
 * shows what the Docker end-to-end test cannot make happen on purpose: a sender's second
 * message waits for the first one's result, a turn not yet accepted is re-sent after a
 * reconnect, a duplicate result is acknowledged but answered once, and a wait whose result
 * never comes ends in a failed run and a plain notice to the sender.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ContainerTurnResult } from "../../src/protocol/container";
import { senderSession } from "../../src/objects/addresses";
import { adminToken, BASE, call, createWebhookChannel, eventually, fakeCallbacks, message, signedPost, connectFakeBridge } from "./helpers";

type Frame = { t: string; id?: string; senderId?: string; [k: string]: unknown };

let token: string;
let callbacks: ReturnType<typeof fakeCallbacks> | undefined;
beforeAll(async () => {
  token = await adminToken();
});
afterEach(() => callbacks?.restore());

/** A bridge connection that records what the hub sends it. */
async function connect(bridgeToken: string) {
  const { ws, frames, send } = await connectFakeBridge<Frame>(bridgeToken);
  return {
    ws,
    frames,
    turns: () => frames.filter((f) => f.t === "turn"),
    acks: (id: string) => frames.filter((f) => f.t === "turn.result.ack" && f.id === id),
    accept: (id: string) => send({ t: "turn.accepted", id }),
    result: (id: string, text: string) => send({ t: "turn.result", id, result: answered(text) }),
  };
}

function answered(text: string): ContainerTurnResult {
  const call = { at: Date.now(), model: "claude-test", inputTokens: 10, outputTokens: 5, cacheWriteTokens: 0, cacheWrite1hTokens: 0, cacheReadTokens: 0 };
  return {
    outcome: "answered",
    text,
    calls: [{ ...call, latencyMs: 20, stopReason: "end_turn", status: "ok" }],
    steps: 1,
    toolCalls: 0,
    queuedMs: 1,
    runMs: 5,
  };
}

/** A bridge and an open webhook channel whose agent runs in containers on it. */
async function containerChannel() {
  const created = await call<{ bridge: { id: string }; token: string }>(
    "POST",
    "/api/bridges",
    { name: `containers-${crypto.randomUUID().slice(0, 6)}` },
    token,
  );
  expect(created.status).toBe(201);
  const ch = await createWebhookChannel(token, { policy: "open", agent: { container: true, containerBridgeId: created.body.bridge.id } });
  return { ch, bridgeToken: created.body.token };
}

const repliesTo = (recipient: string) => callbacks!.captured.filter((c) => c.body.recipient === recipient).map((c) => c.body.text);

describe("container mode with a fake bridge", () => {
  it("runs one turn at a time per sender, in order, and answers with the container's text", async () => {
    callbacks = fakeCallbacks();
    const { ch, bridgeToken } = await containerChannel();
    const bridge = await connect(bridgeToken);
    await signedPost(ch.url, ch.secret, message("ada", "first"));
    await signedPost(ch.url, ch.secret, message("ada", "second"));
    const [first] = await eventually(async () => bridge.turns().length > 0 && bridge.turns());
    expect(first).toMatchObject({ t: "turn", channelId: ch.id, senderId: "ada" });
    expect(JSON.stringify((first!.spec as { messages: unknown[] }).messages.at(-1))).toContain("first");
    bridge.accept(first!.id!);
    // The second message waits for the first turn's result: no second turn yet.
    await runDurableObjectAlarm(senderSession(env, ch.id, "ada"));
    expect(bridge.turns()).toHaveLength(1);

    bridge.result(first!.id!, "answer one");
    await eventually(async () => bridge.acks(first!.id!).length === 1);
    const second = (await eventually(async () => bridge.turns().length === 2 && bridge.turns()))[1]!;
    expect(JSON.stringify((second.spec as { messages: unknown[] }).messages)).toContain("answer one"); // the history goes on
    bridge.accept(second.id!);
    bridge.result(second.id!, "answer two");
    await eventually(async () => repliesTo("ada").length === 2);
    expect(repliesTo("ada")).toEqual(["answer one", "answer two"]);
    bridge.ws.close(1000, "done");
  });

  it("re-sends a turn the bridge never accepted when it connects again, and answers a duplicate result once", async () => {
    callbacks = fakeCallbacks();
    const { ch, bridgeToken } = await containerChannel();
    const dropped = await connect(bridgeToken);
    await signedPost(ch.url, ch.secret, message("bo", "please run this"));
    const [turn] = await eventually(async () => dropped.turns().length > 0 && dropped.turns());
    dropped.ws.close(1000, "restarting before it wrote the turn down");

    const again = await connect(bridgeToken);
    const [resent] = await eventually(async () => again.turns().length > 0 && again.turns());
    expect(resent).toEqual(turn);
    again.accept(resent!.id!);
    again.result(resent!.id!, "ran it");
    await eventually(async () => again.acks(resent!.id!).length === 1);
    // The bridge did not see the ack (say it restarted) and sends the result again: acknowledged, not answered again.
    again.result(resent!.id!, "ran it");
    await eventually(async () => again.acks(resent!.id!).length === 2);
    // One more message, answered: everything before it is settled (test/support/after-control.ts).
    await signedPost(ch.url, ch.secret, message("bo", "and this"));
    const next = (await eventually(async () => again.turns().length === 2 && again.turns()))[1]!;
    again.accept(next.id!);
    again.result(next.id!, "and that");
    await eventually(async () => repliesTo("bo").length === 2);
    expect(repliesTo("bo")).toEqual(["ran it", "and that"]);
    again.ws.close(1000, "done");
  });

  it("gives up on a result that never comes: a failed run for the admin, a plain notice for the sender", async () => {
    callbacks = fakeCallbacks();
    const { ch, bridgeToken } = await containerChannel();
    const bridge = await connect(bridgeToken);
    await signedPost(ch.url, ch.secret, message("cy", "this will hang"));
    const [turn] = await eventually(async () => bridge.turns().length > 0 && bridge.turns());
    bridge.accept(turn!.id!);
    // The deadline (AGENT_CONTAINER_RESULT_TIMEOUT_MS after dispatch) has passed: move it into the past.
    const session = senderSession(env, ch.id, "cy");
    await runInDurableObject(session, (_o, state) => state.storage.sql.exec("UPDATE container_waits SET deadline = ?", Date.now() - 1));
    await runDurableObjectAlarm(session);
    await eventually(async () => repliesTo("cy").length === 1);
    expect(repliesTo("cy")[0]).not.toContain("AGENT_CONTAINER_RESULT_TIMEOUT_MS"); // internals stay with the admin
    const runs = await call<{ runs: { status: string; error: string | null }[] }>("GET", `/api/runs?channelId=${ch.id}`, undefined, token);
    expect(runs.body.runs).toEqual([expect.objectContaining({ status: "failed", error: expect.stringContaining("no result from bridge") })]);
    // The bridge is told to stop the run; a result arriving after all is acknowledged and not sent.
    await eventually(async () => bridge.frames.some((f) => f.t === "turn.cancel" && f.id === turn!.id));
    bridge.result(turn!.id!, "too late");
    await eventually(async () => bridge.acks(turn!.id!).length === 1);
    expect(repliesTo("cy")).toHaveLength(1);
    bridge.ws.close(1000, "done");
  });
});
