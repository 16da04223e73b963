/**
 * Replies being written, as the dashboard keeps them (dashboard/src/feed/reply-progress.ts): one
 * entry per turn with its newest text, gone when the turn's reply is delivered or fails, or
 * after two minutes without a change.
 */
import { describe, expect, it } from "vitest";
import { applyFrames, type FeedFrame, PROGRESS_STALE_MS } from "../../dashboard/src/feed/reply-progress";

const frame = (kind: string, detail: Record<string, unknown>): FeedFrame => ({ kind, channelId: "web", senderId: "admin:admin", detail });
const progress = (turnId: string, text: string) => frame("reply.progress", { turnId, inReplyTo: "client-1", text });

describe("replies in progress", () => {
  it("keeps the newest text per turn", () => {
    const now = 1000;
    const list = applyFrames([], [progress("msg_a", "Here is"), progress("msg_b", "Other"), progress("msg_a", "Here is what")], now);
    expect(list).toHaveLength(2);
    expect(list.find((p) => p.turnId === "msg_a")).toMatchObject({ text: "Here is what", inReplyTo: "client-1", channelId: "web", seenAt: now });
  });

  it("drops a turn when its first chunk is delivered or fails, and ignores late previews of it", () => {
    const start = applyFrames([], [progress("msg_a", "Here is"), progress("msg_b", "Other")]);
    const after = applyFrames(start, [frame("reply.delivered", { deliveryId: "msg_a:0000" }), progress("msg_a", "Here is late")]);
    expect(after.map((p) => p.turnId)).toEqual(["msg_b"]);
    expect(applyFrames(after, [frame("reply.failed", { deliveryId: "msg_b:0000" })])).toEqual([]);
  });

  it("forgets a turn whose preview has not changed for two minutes", () => {
    const list = applyFrames([], [progress("msg_a", "Here is")], 0);
    expect(applyFrames(list, [], PROGRESS_STALE_MS - 1)).toHaveLength(1);
    expect(applyFrames(list, [], PROGRESS_STALE_MS)).toEqual([]);
  });

  it("ignores frames that are not progress or lack their fields", () => {
    expect(applyFrames([], [frame("reply.progress", { text: "no turn" }), frame("message.received", { turnId: "x", text: "hi" })])).toEqual([]);
  });
});
