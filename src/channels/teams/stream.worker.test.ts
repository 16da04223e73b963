/**
 * Teams streaming through the whole Worker: a model that writes slowly, the sender's object
 * streaming the reply with Teams' protocol to the fake Connector (which refuses what Teams
 * refuses), and the delivery ending the stream with exactly one final message; a channel mention
 * gets the finished reply only; a final message whose answer was lost is not sent twice; two
 * messages in a row never have two streams open in the chat; a stream the person stopped ends
 * with the finished reply posted as a message.
 */
import { env } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { conversationAgent } from "../../agent/runtime";
import { type TeamsFake } from "./fake-bot-framework";
import channelMention from "./fixtures/message-channel-mention.json";
import personal from "./fixtures/message-personal.json";
import { TEAMS_STREAM_INTERVAL_MS } from "./stream";
import { createTeamsChannel } from "../../../test/worker/teams-channel";
import { adminToken, call, eventually } from "../../../test/worker/helpers";

let admin: string;
beforeAll(async () => {
  admin = await adminToken();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** A plain answer long enough for several parts at Teams' pace. */
const answer = (topic: string) =>
  `Here is what I know about ${topic}. ` + Array.from({ length: 7 }, (_, i) => `Point ${i + 1}: ${topic} matters for reason ${i + 1}.`).join(" ");

/** The offline model's turn, but written slowly, 12 characters at a time, as a model streams it. */
function slowModel() {
  const real = conversationAgent.runtime(env);
  vi.spyOn(conversationAgent, "runtime").mockReturnValue({
    ...real,
    runTurn: async (req) => {
      const result = await real.runTurn(req);
      if (!result.ok) return result;
      const text = answer(req.text);
      for (let i = 12; i < text.length; i += 12) {
        req.onText?.(text.slice(0, i));
        await new Promise((resolve) => setTimeout(resolve, 120));
      }
      return { ...result, text };
    },
  });
}

const teamsChannel = () => createTeamsChannel(admin);

function dm(topic: string) {
  const activity = structuredClone(personal);
  activity.id = String(Date.now() + Math.floor(Math.random() * 1e6));
  activity.from.aadObjectId = crypto.randomUUID();
  activity.text = topic;
  return activity;
}

/** Waits until the gateway recorded the channel's reply as delivered (asking twice a second: the admin API has a rate limit). */
async function delivered(channelId: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const events = await call<{ events?: unknown[] }>("GET", `/api/events?channelId=${channelId}&kind=reply.delivered`, undefined, admin);
    if (events.body.events?.length === 1) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error("the reply was not recorded as delivered within 20 s");
}

const finalOf = (fake: TeamsFake) => fake.streams.streams[0]?.parts.filter((p) => p.streamType === "final") ?? [];

describe("Teams streaming replies, through the whole pipeline", () => {
  it("streams a personal chat's answer in growing parts and ends it with one final message", async () => {
    slowModel();
    const { fake, id, url } = await teamsChannel();
    const asked = dm("rivers");
    expect((await fake.deliver(url, asked)).status).toBe(200);
    const full = answer("rivers");
    await delivered(id);

    const [stream] = fake.streams.streams;
    expect(fake.streams.streams).toHaveLength(1);
    const parts = stream!.parts.filter((p) => p.streamType === "streaming");
    expect(parts.length).toBeGreaterThanOrEqual(2);
    expect(parts.map((p) => p.sequence)).toEqual(parts.map((_, i) => i + 1));
    for (const p of parts) expect(full.startsWith(p.text!)).toBe(true);
    expect(parts[0]!.text!.length).toBeLessThan(full.length);
    for (let i = 1; i < stream!.parts.length; i++) expect(stream!.parts[i]!.at - stream!.parts[i - 1]!.at).toBeGreaterThanOrEqual(1000);
    expect(finalOf(fake)).toHaveLength(1);
    // The chat keeps one message: the final one, under the stream's id.
    expect(fake.state.posted).toHaveLength(1);
    expect(fake.state.posted[0]).toMatchObject({ id: stream!.id, replyToId: asked.id, activity: { type: "message", text: full } });
    expect(fake.streams.refusals).toEqual([]);
    expect(TEAMS_STREAM_INTERVAL_MS).toBeGreaterThanOrEqual(1000);
  }, 30_000);

  it("answers a channel mention with the finished reply only", async () => {
    slowModel();
    const { fake, id, url } = await teamsChannel();
    expect((await fake.deliver(url, structuredClone(channelMention))).status).toBe(200);
    await delivered(id);
    expect(fake.streams.streams).toEqual([]);
    expect(fake.state.posted).toHaveLength(1);
    expect(fake.state.posted[0]).toMatchObject({ replyToId: channelMention.id, activity: { text: answer("what is the status of the build?") } });
  }, 30_000);

  it("does not send a second message when the final message's answer was lost and the delivery is retried", async () => {
    slowModel();
    const { fake, id, url } = await teamsChannel();
    fake.failNextStream({ status: 503, applied: true, final: true });
    expect((await fake.deliver(url, dm("lakes"))).status).toBe(200);
    await delivered(id);
    expect(fake.state.posted).toHaveLength(1);
    expect(fake.state.posted[0]!.activity.text).toBe(answer("lakes"));
    expect(finalOf(fake)).toHaveLength(1);
    // The retry was answered as Teams answers a second final message, and counted as delivered.
    expect(fake.streams.refusals.map((r) => r.message)).toEqual(["Content stream is not allowed on an already completed streamed message"]);
  }, 30_000);

  it("never has two streams open in a chat: of two messages that waited together, the second is answered whole", async () => {
    slowModel();
    const { fake, url } = await teamsChannel();
    const person = dm("forests");
    const next = (topic: string) => ({ ...dm(topic), conversation: person.conversation, from: person.from });
    expect((await fake.deliver(url, person)).status).toBe(200);
    await eventually(async () => fake.streams.streams[0]);
    // Both arrive while the first answer is written: the next pass runs their turns back to back,
    // so the third turn runs before the second reply's final message has gone out.
    const [second, third] = [next("deserts"), next("tundra")];
    expect((await fake.deliver(url, second)).status).toBe(200);
    expect((await fake.deliver(url, third)).status).toBe(200);
    await eventually(async () => fake.state.posted.length === 3, 25_000);
    expect(fake.state.posted.map((p) => [p.replyToId, p.activity.text])).toEqual([
      [person.id, answer("forests")],
      [second.id, answer("deserts")],
      [third.id, answer("tundra")],
    ]);
    expect(fake.streams.streams.map((s) => s.state)).toEqual(["final", "final"]);
    expect(fake.streams.refusals).toEqual([]);
  }, 40_000);

  it("posts the finished reply when the person stopped the stream", async () => {
    slowModel();
    const { fake, id, url } = await teamsChannel();
    const activity = dm("seas");
    expect((await fake.deliver(url, activity)).status).toBe(200);
    const stream = await eventually(async () => fake.streams.streams[0]);
    fake.streams.stop(stream.id);
    await delivered(id);
    expect(finalOf(fake)).toHaveLength(0);
    expect(fake.state.posted).toHaveLength(1);
    expect(fake.state.posted[0]).toMatchObject({ replyToId: activity.id, activity: { type: "message", text: answer("seas") } });
  }, 30_000);
});
