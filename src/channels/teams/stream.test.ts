/**
 * Teams' bot streaming protocol (stream.ts) against the fake Connector (fake-streams.ts), which
 * checks it as Microsoft documents it: the first part gets the streamId, later parts name it with a
 * rising streamSequence and growing text, the final message ends it once. The clock is moved by
 * hand past Teams' one-request-a-second limit.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createTeamsFake, type TeamsFake } from "./fake-bot-framework";
import channelMention from "./fixtures/message-channel-mention.json";
import personal from "./fixtures/message-personal.json";
import { decodeStreamRef, encodeStreamRef, nextSequence, TEAMS_STREAM_INTERVAL_MS, teamsStreaming } from "./stream";
import type { ChannelContext, OutboundMessage } from "../shared/types";
import { APP_ID } from "./test-profile";

const streaming = teamsStreaming();
type Config = { appId: string; appPassword: string; loginBase: string };

let fake: TeamsFake;
let ctx: ChannelContext<Config>;
/** A Bot Framework host per test: each test's chat is its own (open streams are kept per chat). */
let BASE = "";

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  BASE = `https://bf-${crypto.randomUUID().slice(0, 8)}.fake`;
  const appPassword = `secret-${crypto.randomUUID()}`;
  fake = await createTeamsFake({ appId: APP_ID, appPassword, baseUrl: BASE, deliverFetch: async () => new Response("{}") });
  ctx = {
    channelId: "ch-teams",
    config: { appId: APP_ID, appPassword, loginBase: BASE },
    publicUrl: "https://gw.example",
    now: Date.now(),
    fetch: ((input: RequestInfo | URL, init?: RequestInit) => fake.handle(new Request(input, init))) as typeof fetch,
  };
});
afterEach(() => {
  vi.useRealTimers();
});

/** Moves the clock past the pace a live reply keeps between changes. */
const later = (ms = TEAMS_STREAM_INTERVAL_MS) => vi.setSystemTime(Date.now() + ms);

function reply(text: string, conversation = personal.conversation): OutboundMessage {
  return {
    recipient: "7faf2a74-5a3f-4bc7-b5fb-e4f5ea2a49cd",
    conversationId: conversation.id,
    text,
    deliveryId: "turn-1:live",
    replyContext: { serviceUrl: BASE, activityId: "1485983408511", conversationType: conversation.conversationType },
  };
}

describe("Teams streaming replies", () => {
  it("streams in personal chats only", () => {
    expect(streaming.supports?.(reply("x"))).toBe(true);
    expect(streaming.supports?.(reply("x", channelMention.conversation))).toBe(false);
    expect(streaming.appendOnly).toBe(true);
  });

  it("starts a stream, grows it with rising sequence numbers, and ends it with one final message", async () => {
    const started = await streaming.start(reply("A brown fox"), ctx);
    expect(started).toMatchObject({ ok: true });
    const ref = started.ok ? started.platformMessageId! : "";
    const streamId = decodeStreamRef(ref)!.streamId;
    later();
    expect(await streaming.edit(reply("A brown fox jumped"), ref, ctx)).toEqual({ ok: true, platformMessageId: ref });
    later();
    expect(await streaming.edit(reply("A brown fox jumped over the fence"), ref, ctx)).toMatchObject({ ok: true });
    later();
    expect(await streaming.finish!(reply("A **brown** fox jumped over the fence."), ref, ctx)).toEqual({ ok: true, platformMessageId: streamId });

    const [stream] = fake.streams.streams;
    expect(stream).toMatchObject({ id: streamId, conversationId: personal.conversation.id, state: "final" });
    expect(stream!.parts.map((p) => [p.streamType, p.sequence])).toEqual([
      ["streaming", 1],
      ["streaming", 2],
      ["streaming", 3],
      ["final", undefined],
    ]);
    expect(fake.state.posted).toHaveLength(1);
    expect(fake.state.posted[0]).toMatchObject({
      id: streamId,
      replyToId: "1485983408511",
      activity: { type: "message", text: "A **brown** fox jumped over the fence.", textFormat: "markdown", replyToId: "1485983408511" },
    });
    expect(fake.state.posted[0]!.activity.entities).toEqual([{ type: "streaminfo", streamId, streamType: "final" }]);
    expect(fake.streams.refusals).toEqual([]);
  });

  it("counts a final message Teams already took as delivered: a retry makes no second message", async () => {
    const started = await streaming.start(reply("The answer is being written"), ctx);
    const ref = started.ok ? started.platformMessageId! : "";
    later();
    // Teams took the final message but its answer was lost; the delivery tries again.
    fake.failNextStream({ status: 503, applied: true });
    expect(await streaming.finish!(reply("The answer is written."), ref, ctx)).toMatchObject({ ok: false, retryable: true });
    later();
    expect(await streaming.finish!(reply("The answer is written."), ref, ctx)).toMatchObject({ ok: true });
    expect(fake.state.posted).toHaveLength(1);
    expect(fake.streams.refusals.map((r) => r.message)).toEqual(["Content stream is not allowed on an already completed streamed message"]);
  });

  it("reports a stream the person stopped, or one past two minutes, as final failures (the delivery then posts the reply)", async () => {
    const started = await streaming.start(reply("Part of an answer"), ctx);
    const ref = started.ok ? started.platformMessageId! : "";
    fake.streams.stop(decodeStreamRef(ref)!.streamId);
    later();
    expect(await streaming.edit(reply("Part of an answer, more"), ref, ctx)).toMatchObject({ ok: false, retryable: false });
    expect(await streaming.finish!(reply("The whole answer."), ref, ctx)).toMatchObject({
      ok: false,
      retryable: false,
      error: expect.stringContaining("ContentStreamNotAllowed"),
    });

    const second = await streaming.start(reply("Another answer begins"), ctx);
    const ref2 = second.ok ? second.platformMessageId! : "";
    later(121_000);
    expect(await streaming.finish!(reply("Another answer."), ref2, ctx)).toMatchObject({ ok: false, retryable: false });
    expect(fake.state.posted).toHaveLength(0);
  });

  it("waits out a 429 with Teams' Retry-After", async () => {
    const started = await streaming.start(reply("Quick parts of an answer"), ctx);
    const ref = started.ok ? started.platformMessageId! : "";
    // Within the second Teams allows per request.
    expect(await streaming.edit(reply("Quick parts of an answer, too quick"), ref, ctx)).toMatchObject({ ok: false, retryable: true, retryAfterMs: 1000 });
    later();
    expect(await streaming.edit(reply("Quick parts of an answer, in time"), ref, ctx)).toMatchObject({ ok: true });
    expect(fake.streams.streams[0]!.parts.map((p) => p.sequence)).toEqual([1, 2]);
  });

  it("is refused in a group chat by the fake as by Teams, and refuses text that does not grow", async () => {
    await fake.deliver(`${BASE}/hook`, channelMention);
    const group = { ...channelMention.conversation };
    const refused = await streaming.start(
      { ...reply("An answer in a channel"), replyContext: { serviceUrl: BASE, conversationType: "personal" }, conversationId: group.id },
      ctx,
    );
    expect(refused).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining("ContentStreamNotAllowed") });

    const started = await streaming.start(reply("First words"), ctx);
    const ref = started.ok ? started.platformMessageId! : "";
    later();
    expect(await streaming.edit(reply("Other words"), ref, ctx)).toMatchObject({ ok: false, retryable: false });
    expect(fake.streams.refusals.map((r) => r.message)).toEqual([
      "Content stream is not allowed",
      "Request streamed content should contain the previously streamed content",
    ]);
  });

  it("streams one reply at a time in a chat: a second waits for its finished reply", async () => {
    const first = await streaming.start(reply("The first answer begins"), ctx);
    const ref = first.ok ? first.platformMessageId! : "";
    // Asked while the first was being written: answered whole, after the first's final message.
    expect(await streaming.start(reply("The second answer begins"), ctx)).toMatchObject({ ok: false, retryable: false });
    later();
    expect(await streaming.finish!(reply("The first answer."), ref, ctx)).toMatchObject({ ok: true });
    later();
    expect(await streaming.start(reply("A third answer begins"), ctx)).toMatchObject({ ok: true });
    expect(fake.streams.streams).toHaveLength(2);
    expect(fake.streams.refusals).toEqual([]);
  });

  it("keeps the sequence rising after a restart lost the count", () => {
    const ref = { streamId: "1728640934763", startedAt: 1_000_000 };
    expect(decodeStreamRef(encodeStreamRef(ref))).toEqual(ref);
    expect(decodeStreamRef("not-a-stream")).toBeNull();
    // Changes go at most one a second, so by 9.5 s at most 10 were sent (1 ... 10): the next is above them.
    expect(nextSequence("a|b|never-seen", ref, ref.startedAt + 9_500)).toBe(11);
  });
});
