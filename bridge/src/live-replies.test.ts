/**
 * Streamed replies on the bridge (live-replies.ts) against a fake editable platform that records
 * every post and edit with when it started and ended: the first change posts and is written
 * down before the next goes, changes are paced from the platform's previous answer, a
 * retry-after is waited out, the finished reply is the last edit (also from a restarted bridge
 * that only has the disk), and a message that can no longer be edited leaves the reply to be
 * posted whole.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { BridgeProgress, BridgeReply } from "../../src/protocol/bridge";
import type { DeliveryOutcome, EditableMessages, PostOutcome } from "./channels/shared/types";
import { LiveReplies } from "./live-replies";
import { LiveReplyLog } from "./live-reply-log";

const silent = { info() {}, warn() {}, error() {} };
const INTERVAL_MS = 60;

interface Call {
  kind: "post" | "edit";
  text: string;
  messageId?: string;
  startedAt: number;
  endedAt?: number;
}

/** A platform that takes 10 ms per call and answers what the test scripted, else ok. */
function fakePlatform(script: { post?: PostOutcome[]; edit?: DeliveryOutcome[] } = {}) {
  const calls: Call[] = [];
  let posted = 0;
  const run = async <T>(call: Call, outcome: T): Promise<T> => {
    calls.push(call);
    await new Promise((r) => setTimeout(r, 10));
    call.endedAt = Date.now();
    return outcome;
  };
  const platform: EditableMessages = {
    minEditIntervalMs: () => INTERVAL_MS,
    post: (reply) => run({ kind: "post", text: reply.text, startedAt: Date.now() }, script.post?.shift() ?? { ok: true, messageId: `$m${++posted}` }),
    edit: (reply, messageId) => run({ kind: "edit", text: reply.text, messageId, startedAt: Date.now() }, script.edit?.shift() ?? { ok: true }),
  };
  return { platform, calls };
}

const progress = (text: string, replyId = "turn1:0000"): BridgeProgress => ({
  replyId,
  channelId: "ch_m",
  recipient: "@alice:x",
  conversationId: "!room:x",
  text,
});
const finished = (text: string, id = "turn1:0000"): BridgeReply => ({ id, channelId: "ch_m", recipient: "@alice:x", conversationId: "!room:x", text });

describe("streamed replies on the bridge", () => {
  let dir: string;
  let live: LiveReplies;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "live-replies-"));
    live = new LiveReplies(dir, silent);
  });
  afterEach(() => {
    live.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("posts the first change, writes its id down before the next goes, and edits it with the newest text only", async () => {
    const { platform, calls } = fakePlatform();
    live.progress(progress("The answer begins here"), platform);
    await vi.waitFor(() => expect(calls[0]?.endedAt).toBeDefined());
    // The second change is not sent before the first was answered and the pace allows; only the newest of these goes.
    for (const text of ["The answer begins here, and", "The answer begins here, and grows", "The answer begins here, and grows more"])
      live.progress(progress(text), platform);
    await vi.waitFor(() => expect(calls).toHaveLength(2));
    expect(new LiveReplyLog(dir).get("turn1:0000")).toMatchObject({ channelId: "ch_m", messageId: "$m1" });
    expect(calls.map((c) => [c.kind, c.text, c.messageId])).toEqual([
      ["post", "The answer begins here", undefined],
      ["edit", "The answer begins here, and grows more", "$m1"],
    ]);
    expect(calls[1]!.startedAt - calls[0]!.endedAt!).toBeGreaterThanOrEqual(INTERVAL_MS - 2);
  });

  it("waits out the platform's retry-after, then sends the newest text", async () => {
    const { platform, calls } = fakePlatform({ edit: [{ ok: false, retryable: true, retryAfterMs: 300, error: "M_LIMIT_EXCEEDED" }] });
    live.progress(progress("First part of the answer"), platform);
    await vi.waitFor(() => expect(calls[0]?.endedAt).toBeDefined());
    live.progress(progress("First part of the answer, second"), platform);
    await vi.waitFor(() => expect(calls[1]?.endedAt).toBeDefined());
    live.progress(progress("First part of the answer, second, third"), platform);
    await vi.waitFor(() => expect(calls).toHaveLength(3), { timeout: 2000 });
    expect(calls[2]!.text).toBe("First part of the answer, second, third");
    expect(calls[2]!.startedAt - calls[1]!.endedAt!).toBeGreaterThanOrEqual(298);
  });

  it("makes the finished reply the last edit, after the pace allows, and from a restarted bridge too", async () => {
    const { platform, calls } = fakePlatform();
    live.progress(progress("Streaming answer, part one"), platform);
    await vi.waitFor(() => expect(calls[0]?.endedAt).toBeDefined());
    expect(await live.finish(finished("Streaming answer, whole"), platform)).toEqual({ ok: true });
    expect(calls.map((c) => [c.kind, c.text])).toEqual([
      ["post", "Streaming answer, part one"],
      ["edit", "Streaming answer, whole"],
    ]);
    expect(calls[1]!.startedAt - calls[0]!.endedAt!).toBeGreaterThanOrEqual(INTERVAL_MS - 2);

    // The bridge restarts: only the disk knows the message. A change of the turn (run again by
    // the gateway) edits it, never posts, and so does the re-sent finished reply.
    const restarted = new LiveReplies(dir, silent);
    const again = fakePlatform();
    restarted.progress(progress("Streaming answer, run again"), again.platform);
    await vi.waitFor(() => expect(again.calls[0]?.endedAt).toBeDefined());
    expect(await restarted.finish(finished("Streaming answer, whole"), again.platform)).toEqual({ ok: true });
    expect(again.calls.map((c) => [c.kind, c.messageId, c.text])).toEqual([
      ["edit", "$m1", "Streaming answer, run again"],
      ["edit", "$m1", "Streaming answer, whole"],
    ]);
    restarted.stop();
  });

  it("waits for a first post still in flight, so the finished reply edits it instead of posting twice", async () => {
    const { platform, calls } = fakePlatform();
    live.progress(progress("Quick answer in progress"), platform);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.endedAt).toBeUndefined();
    expect(await live.finish(finished("Quick answer."), platform)).toEqual({ ok: true });
    expect(calls.map((c) => c.kind)).toEqual(["post", "edit"]);
  });

  it("leaves a reply that was never streamed to be posted as usual", async () => {
    const { platform, calls } = fakePlatform();
    expect(await live.finish(finished("Plain answer"), platform)).toBeNull();
    expect(calls).toEqual([]);
  });

  it("passes on a retryable failure of the last edit for the delivery to retry", async () => {
    const { platform, calls } = fakePlatform({ edit: [{ ok: false, retryable: true, error: "homeserver unreachable" }] });
    live.progress(progress("An answer being written"), platform);
    await vi.waitFor(() => expect(calls[0]?.endedAt).toBeDefined());
    expect(await live.finish(finished("An answer, written"), platform)).toMatchObject({ ok: false, retryable: true });
    expect(await live.finish(finished("An answer, written"), platform)).toEqual({ ok: true });
    expect(calls.map((c) => c.kind)).toEqual(["post", "edit", "edit"]);
  });

  it("posts the finished reply whole when the message can no longer be edited, and remembers that across a restart", async () => {
    const { platform, calls } = fakePlatform({ edit: [{ ok: false, retryable: false, error: "the streamed message $m1 was deleted" }] });
    live.progress(progress("Soon to be deleted answer"), platform);
    await vi.waitFor(() => expect(calls[0]?.endedAt).toBeDefined());
    expect(await live.finish(finished("The whole answer"), platform)).toBeNull();
    expect(JSON.parse(readFileSync(join(dir, "live-replies.json"), "utf8"))["turn1:0000"]).toMatchObject({ messageId: "$m1", gone: true });
    const restarted = new LiveReplies(dir, silent);
    const again = fakePlatform();
    expect(await restarted.finish(finished("The whole answer"), again.platform)).toBeNull();
    restarted.progress(progress("A late change of it"), again.platform);
    await new Promise((r) => setTimeout(r, INTERVAL_MS * 2));
    expect(again.calls).toEqual([]);
    restarted.stop();
  });

  it("stops streaming a reply whose first post the platform refuses for good; the finished reply is posted", async () => {
    const { platform, calls } = fakePlatform({ post: [{ ok: false, retryable: false, error: "the bot is not in room !room:x" }] });
    live.progress(progress("An answer nobody will see"), platform);
    await vi.waitFor(() => expect(calls[0]?.endedAt).toBeDefined());
    live.progress(progress("An answer nobody will see, longer"), platform);
    expect(await live.finish(finished("The answer"), platform)).toBeNull();
    expect(calls.map((c) => c.kind)).toEqual(["post"]);
  });
});
