/**
 * Streamed replies on Teams, end to end: `npm start` with the real SDK pointed at a fake Messages
 * API that writes slowly, and the fake Bot Framework, whose Connector checks Teams' streaming
 * protocol (streamId from the first answer, rising streamSequence, growing text, one request a
 * second, one final message) and refuses violations. A personal chat's answer arrives in several
 * parts and then exactly one final message, also when the final message's answer is lost and the
 * delivery retried, and when the gateway is stopped mid-answer and started again; a channel
 * mention gets the finished reply only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../../../test/fakes/anthropic-messages";
import { serveFake } from "../../../test/fakes/http-fake-server";
import { removeState, setupAdmin, startGateway, waitFor, type GatewayProcess } from "../../../test/support/gateway-process";
import { createChannelWithSetup } from "../../../test/support/platform-gateway";
import { createTeamsFake, type TeamsFake } from "./fake-bot-framework";
import channelMention from "./fixtures/message-channel-mention.json";
import personal from "./fixtures/message-personal.json";
import { APP_ID, teamsConfigFor } from "./test-profile";

const PORT = 10750;
const KEY = "sk-ant-e2e-teams-stream-5d1f";
const APP_PASSWORD = "e2e-teams-stream-client-secret";

/** A plain answer (the same text in Teams Markdown) long enough for several parts. */
const answer = (topic: string) =>
  `Here is what I know about ${topic}. ` + Array.from({ length: 8 }, (_, i) => `Point ${i + 1}: ${topic} matters because of reason number ${i + 1}.`).join(" ");

describe("streamed replies on Teams, end to end", () => {
  let teams: TeamsFake;
  let anthropic: FakeAnthropic;
  let served: Awaited<ReturnType<typeof serveFake>>;
  let gw: GatewayProcess;
  let env: Record<string, string>;
  let url = "";
  let next = 1;

  beforeAll(async () => {
    anthropic = await startFakeAnthropic({ apiKey: KEY });
    teams = await createTeamsFake({ appId: APP_ID, appPassword: APP_PASSWORD });
    served = await serveFake(teams.handle);
    teams.setBaseUrl(served.url);
    env = { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: anthropic.url, AGENT_RETRY_BASE_MS: "50", DELIVERY_RETRY_BASE_MS: "100" };
    gw = await startGateway({ port: PORT, env });
    const { api } = await setupAdmin(gw);
    const channel = await createChannelWithSetup(api, {
      type: "teams",
      name: "Teams streaming",
      policy: "open",
      config: teamsConfigFor(served.url, APP_PASSWORD),
    });
    url = channel.inboundUrl;
  });
  afterAll(async () => {
    await gw?.stop();
    await served?.close();
    await anthropic?.close();
    if (gw) removeState(gw.stateDir);
  });

  /** A personal message from a new person: one conversation (and stream) per test. */
  const say = async (text: string) => {
    const activity = structuredClone(personal);
    const n = next++;
    activity.id = `17000000000${n}`;
    activity.conversation.id = `a:stream-e2e-${n}-${crypto.randomUUID()}`;
    activity.from.aadObjectId = crypto.randomUUID();
    activity.text = text;
    expect((await teams.deliver(url, activity)).status).toBe(200);
    return activity.conversation.id;
  };
  const postedIn = (conversationId: string) => teams.state.posted.filter((p) => p.conversationId === conversationId);
  const streamIn = (conversationId: string) => teams.streams.streams.filter((s) => s.conversationId === conversationId);
  const finished = async (conversationId: string, text: string) => {
    await waitFor(async () => postedIn(conversationId).some((p) => p.activity.text === text), 60_000, `the finished answer in ${conversationId}`);
    const [stream, ...more] = streamIn(conversationId);
    expect(more).toEqual([]);
    return stream!;
  };
  const refusalsOf = (streamId: string) => teams.streams.refusals.filter((r) => r.streamId === streamId);

  it("streams the answer in several growing parts at Teams' pace, then exactly one final message", async () => {
    const full = answer("rivers");
    anthropic.enqueue({ kind: "text", text: full, deltaDelayMs: 120 });
    const conversation = await say("tell me about rivers");
    const stream = await finished(conversation, full);

    const parts = stream.parts.filter((p) => p.streamType === "streaming");
    expect(parts.length).toBeGreaterThanOrEqual(3);
    expect(parts.map((p) => p.sequence)).toEqual(parts.map((_, i) => i + 1));
    expect(parts[0]!.text!.length).toBeLessThan(full.length);
    for (const p of parts) expect(full.startsWith(p.text!)).toBe(true);
    for (let i = 1; i < stream.parts.length; i++) expect(stream.parts[i]!.at - stream.parts[i - 1]!.at).toBeGreaterThanOrEqual(1000);
    expect(stream.parts.filter((p) => p.streamType === "final")).toHaveLength(1);
    expect(stream.state).toBe("final");
    // One message in the chat, the final one, as a reply to the person's message.
    expect(postedIn(conversation)).toEqual([
      expect.objectContaining({ id: stream.id, replyToId: expect.stringMatching(/^17/), activity: expect.objectContaining({ type: "message", text: full }) }),
    ]);
    expect(refusalsOf(stream.id)).toEqual([]);
  });

  it("answers a channel mention with the finished reply only", async () => {
    const full = answer("the build");
    anthropic.enqueue({ kind: "text", text: full, deltaDelayMs: 60 });
    const mention = structuredClone(channelMention);
    mention.id = "1481567609001";
    expect((await teams.deliver(url, mention)).status).toBe(200);
    await waitFor(async () => postedIn(mention.conversation.id).length > 0, 60_000, "the channel's answer");
    expect(postedIn(mention.conversation.id)).toEqual([expect.objectContaining({ replyToId: mention.id, activity: expect.objectContaining({ text: full }) })]);
    expect(streamIn(mention.conversation.id)).toEqual([]);
  });

  it("sends no second message when the final message's answer is lost and the delivery retried", async () => {
    const full = answer("lakes");
    teams.failNextStream({ status: 503, applied: true, final: true });
    anthropic.enqueue({ kind: "text", text: full, deltaDelayMs: 80 });
    const conversation = await say("tell me about lakes");
    const stream = await finished(conversation, full);
    await waitFor(async () => refusalsOf(stream.id).length > 0, 30_000, "the retried final message");
    expect(refusalsOf(stream.id).map((r) => r.message)).toEqual(["Content stream is not allowed on an already completed streamed message"]);
    expect(postedIn(conversation)).toHaveLength(1);
  });

  it("finishes the same stream after the gateway is stopped mid-answer and started again", async () => {
    const full = answer("glaciers");
    // Slow enough that the gateway is stopped while the model is still writing; the re-run turn answers at once.
    anthropic.enqueue({ kind: "text", text: full, deltaDelayMs: 400 }, { kind: "text", text: full, deltaDelayMs: 30 });
    const conversation = await say("tell me about glaciers");
    await waitFor(async () => streamIn(conversation).length === 1, 30_000, "the first part of the answer");
    const stoppedAt = Date.now();
    await gw.stop();
    gw = await startGateway({ port: PORT, stateDir: gw.stateDir, env });

    const stream = await finished(conversation, full);
    expect(postedIn(conversation)).toHaveLength(1);
    expect(stream.parts.some((p) => p.at > stoppedAt)).toBe(true);
    // The sequence kept rising across the restart and the text kept growing: Teams refused nothing.
    const sequences = stream.parts.filter((p) => p.streamType === "streaming").map((p) => p.sequence!);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(refusalsOf(stream.id)).toEqual([]);
    expect(anthropic.answered().filter((r) => r.at > stoppedAt).length).toBeGreaterThanOrEqual(1);
  });
});
