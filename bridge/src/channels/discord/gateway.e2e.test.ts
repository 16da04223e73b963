/**
 * Discord gateway end to end: the gateway (`npm start`) and the bridge as processes,
 * @discordjs/ws pointed at a fake Discord on 127.0.0.1 (REST for GET /gateway/bot, messages and
 * typing; a WebSocket gateway speaking Hello, Identify, heartbeats, READY, dispatches and
 * Resume). A DM and a mention are answered, chatter ignored; a dropped connection resumes and
 * gets the missed message replayed; a bridge SIGKILLed mid-conversation resumes its stored
 * session after the restart, and nothing is lost or answered twice.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayIntentBits } from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDiscordGatewayFake } from "./fake-gateway";
import dmFixture from "../../../../src/channels/discord/fixtures/message-create-dm.json";
import guildFixture from "../../../../src/channels/discord/fixtures/message-create-guild-mention.json";
import { createDiscordFake } from "../../../../src/channels/discord/fake-api";
import { serveFake } from "../../../../test/fakes/http-fake-server";
import { type BridgeProcess, startBridge } from "../../../../test/support/bridge-process";
import { type GatewayProcess, removeState, setupAdmin, startGateway, waitFor } from "../../../../test/support/gateway-process";

const PORT = 9201;
const BOT = { id: "1000000000000000001", username: "loopgate" };
const BOT_TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAwMQ.fake.e2e-discord-gateway-token";

describe("Discord gateway through the bridge", () => {
  let gateway: Awaited<ReturnType<typeof startDiscordGatewayFake>>;
  let rest: Awaited<ReturnType<typeof createDiscordFake>>;
  let restServer: Awaited<ReturnType<typeof serveFake>>;
  let gw: GatewayProcess;
  let bridge: BridgeProcess;
  let bridgeToken: string;
  let bridgeId: string;
  let api: Awaited<ReturnType<typeof setupAdmin>>["api"];
  let channelId: string;
  const dataDir = mkdtempSync(join(tmpdir(), "loopgate-bridge-discord-"));
  const channel = async (id = channelId) => (await api<{ channel: { status: string; lastError: string | null } }>("GET", `/api/channels/${id}`)).body.channel;

  let nextId = 1_334_567_890_123_460_000n;
  const dm = (content: string) => {
    const m = { ...structuredClone(dmFixture), id: String(nextId++), content };
    gateway.dispatch("MESSAGE_CREATE", m);
    return m;
  };
  const postedIn = (channelId: string) => rest.state.messages.filter((m) => m.channel_id === channelId);
  const answersTo = (text: string) => rest.state.messages.filter((m) => m.content.includes(`You said: ${text}`));
  const answered = (text: string) => waitFor(async () => answersTo(text).length > 0, 20_000, `an answer to "${text}"`);
  /** A fresh message (a DM by default), answered: everything before it is settled (see test/support/after-control.ts). */
  const settled = async (send: (text: string) => unknown = dm) => {
    const text = `control ${crypto.randomUUID().slice(0, 8)}`;
    send(text);
    await answered(text);
  };
  const notControl = (m: { content?: string; message?: string }) => !(m.content ?? m.message ?? "").includes("You said: control ");

  beforeAll(async () => {
    gateway = await startDiscordGatewayFake({ botToken: BOT_TOKEN, bot: BOT, heartbeatIntervalMs: 1000 });
    rest = await createDiscordFake({ applicationId: BOT.id, botToken: BOT_TOKEN, gatewayUrl: gateway.url });
    restServer = await serveFake(rest.handle);
    gw = await startGateway({ port: PORT, env: { API_RATE_LIMIT_PER_MINUTE: "100000" } });
    api = (await setupAdmin(gw)).api;
    const created = await api<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: "discord-host" });
    bridgeToken = created.body.token;
    bridgeId = created.body.bridge.id;
    const ch = await api<{ channel: { id: string } }>("POST", "/api/channels", {
      type: "discord-gateway",
      name: "Discord",
      policy: "open",
      config: { bridgeId, botToken: BOT_TOKEN, apiBase: `${restServer.url}/api/v10` },
    });
    expect(ch.status, JSON.stringify(ch.body)).toBe(201);
    expect(JSON.stringify(ch.body)).not.toContain(BOT_TOKEN);
    channelId = ch.body.channel.id;
    bridge = startBridge({ url: gw.url, token: bridgeToken, dataDir });
  });

  afterAll(async () => {
    await bridge?.stop();
    await gw?.stop();
    await restServer?.close();
    await gateway?.close();
    if (gw) removeState(gw.stateDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("identifies with its intents, heartbeats, and reports the channel connected", async () => {
    await waitFor(async () => (await channel()).status === "connected", 30_000, "discord-gateway channel connected");
    expect(gateway.state.connectQueries[0]).toContain("v=10");
    expect(gateway.state.connectQueries[0]).toContain("encoding=json");
    const intents = gateway.state.identifies[0]?.intents ?? 0;
    for (const bit of [GatewayIntentBits.DirectMessages, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent]) expect(intents & bit).toBe(bit);
    // Heartbeats carry the last sequence number received (READY is 1).
    await waitFor(async () => gateway.state.heartbeats.length >= 2, 10_000, "two heartbeats");
    expect(gateway.state.heartbeats.at(-1)).toBeGreaterThanOrEqual(1);
    expect(gateway.state.protocolErrors).toEqual([]);
  });

  it("answers a DM in the DM, with the typing indicator first", async () => {
    dm("hello from a DM");
    await answered("hello from a DM");
    const reply = answersTo("hello from a DM")[0];
    expect(reply?.channel_id).toBe(dmFixture.channel_id);
    expect(reply?.message_reference).toBeUndefined();
    expect(reply?.allowed_mentions).toEqual({ parse: [], replied_user: false });
    expect(rest.state.typing).toContain(dmFixture.channel_id);
  });

  it("answers a mention in a server as a reply to it, and ignores what is not addressed to it", async () => {
    gateway.dispatch("MESSAGE_CREATE", { ...guildFixture, id: String(nextId++), content: "people talking", mentions: [] });
    const mention = { ...structuredClone(guildFixture), id: String(nextId++), content: `<@${BOT.id}> what is 2+2?` };
    gateway.dispatch("MESSAGE_CREATE", mention);
    await answered("what is 2+2?");
    await settled((text) => gateway.dispatch("MESSAGE_CREATE", { ...structuredClone(guildFixture), id: String(nextId++), content: `<@${BOT.id}> ${text}` }));
    const inGuild = postedIn(guildFixture.channel_id).filter(notControl);
    expect(inGuild).toHaveLength(1);
    expect(inGuild[0]?.content).not.toContain(`<@${BOT.id}>`);
    expect(inGuild[0]?.message_reference).toEqual({ message_id: mention.id, fail_if_not_exists: false });
  });

  it("resumes after a dropped connection and answers the message dispatched meanwhile, once", async () => {
    const sessionId = gateway.sessionId;
    // A message answered before the drop: the bridge has surely seen its sequence number.
    const lastSeq = gateway.dispatch("MESSAGE_CREATE", { ...structuredClone(dmFixture), id: String(nextId++), content: "seen before the drop" });
    await answered("seen before the drop");
    gateway.dropConnection();
    dm("sent while the connection was down");
    await waitFor(async () => gateway.state.resumes.length >= 1, 20_000, "a Resume (op 6)");
    expect(gateway.state.resumes[0]).toEqual({ session_id: sessionId, seq: lastSeq });
    await answered("sent while the connection was down");
    await waitFor(async () => (await channel()).status === "connected", 10_000, "connected after the resume");
    expect(gateway.state.identifies).toHaveLength(1);
    await settled();
    expect(answersTo("sent while the connection was down")).toHaveLength(1);
  });

  it("resumes its stored session after a bridge restart mid-conversation: nothing lost, nothing answered twice", async () => {
    dm("first part of the conversation");
    await answered("first part of the conversation");

    dm("the bridge dies right after this one");
    await bridge.kill();
    dm("and this one arrives while it is down");
    const resumesBefore = gateway.state.resumes.length;
    bridge = startBridge({ url: gw.url, token: bridgeToken, dataDir });
    await waitFor(async () => gateway.state.resumes.length > resumesBefore, 30_000, "the restarted bridge resumes");
    expect(gateway.state.resumes.at(-1)?.session_id).toBe(gateway.sessionId);
    await answered("the bridge dies right after this one");
    await answered("and this one arrives while it is down");
    // One session all along: the restart resumed rather than identified again.
    expect(gateway.state.identifies).toHaveLength(1);
    await settled();
    for (const text of ["first part of the conversation", "the bridge dies right after this one", "and this one arrives while it is down", "hello from a DM"])
      expect(answersTo(text), text).toHaveLength(1);
  });

  it("fails with what to do when the Message Content intent is not enabled for the app", async () => {
    const strict = await startDiscordGatewayFake({ botToken: BOT_TOKEN, bot: BOT, messageContentAllowed: false });
    const strictRest = await createDiscordFake({ applicationId: BOT.id, botToken: BOT_TOKEN, gatewayUrl: strict.url });
    const strictServer = await serveFake(strictRest.handle);
    try {
      const ch = await api<{ channel: { id: string } }>("POST", "/api/channels", {
        type: "discord-gateway",
        name: "Discord (no content intent)",
        policy: "open",
        config: { bridgeId, botToken: BOT_TOKEN, apiBase: `${strictServer.url}/api/v10` },
      });
      await waitFor(async () => (await channel(ch.body.channel.id)).status === "failed", 30_000, "the channel failed");
      expect((await channel(ch.body.channel.id)).lastError).toContain("MESSAGE CONTENT INTENT");
      expect(strict.state.identifies).toHaveLength(0);
    } finally {
      await strictServer.close();
      await strict.close();
    }
  });
});
