/**
 * Mattermost over the WebSocket end to end: the gateway (`npm start`) and the bridge as
 * processes, against a fake Mattermost on 127.0.0.1 (REST API v4 and /api/v4/websocket on one
 * origin). A DM is answered inline and a mention in its thread, chatter and the bot's own posts
 * are ignored; a dropped socket reconnects and catches up on the post made meanwhile; a bridge
 * SIGKILLed mid-conversation catches up from its cursor after the restart, and nothing is lost
 * or answered twice.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MattermostWebSocketFake, startMattermostWebSocketFake } from "./fake-websocket";
import { FAKE_BOT_USER_ID, mattermostId } from "../../../../src/channels/mattermost/fake-server";
import { type BridgeProcess, startBridge } from "../../../../test/support/bridge-process";
import { type GatewayProcess, removeState, setupAdmin, startGateway, waitFor } from "../../../../test/support/gateway-process";
import { keepLogs } from "../../../../test/support/e2e-logs";

const PORT = 9500;
const BOT_TOKEN = "e2emattermostbottoken00000";

describe("Mattermost WebSocket through the bridge", () => {
  let mm: MattermostWebSocketFake;
  let gw: GatewayProcess;
  let bridge: BridgeProcess;
  let bridgeToken: string;
  let bridgeId: string;
  let api: Awaited<ReturnType<typeof setupAdmin>>["api"];
  let channelId: string;
  const dataDir = mkdtempSync(join(tmpdir(), "loopgate-bridge-mattermost-"));
  const alice = mattermostId();
  const dmChannel = mattermostId();
  const townSquare = mattermostId();
  const channel = async (id = channelId) => (await api<{ channel: { status: string; lastError: string | null } }>("GET", `/api/channels/${id}`)).body.channel;
  const botPosts = () => mm.rest.state.posts;
  const answersTo = (text: string) => botPosts().filter((p) => p.message.includes(`You said: ${text}`));
  const answered = (text: string) => waitFor(async () => answersTo(text).length > 0, 20_000, `an answer to "${text}"`);
  const dm = (text: string) => mm.rest.userPost(dmChannel, text, "", alice);
  /** A fresh message (a DM by default), answered: everything before it is settled (see test/support/after-control.ts). */
  const settled = async (send: (text: string) => unknown = dm) => {
    const text = `control ${crypto.randomUUID().slice(0, 8)}`;
    send(text);
    await answered(text);
  };
  const notControl = (m: { content?: string; message?: string }) => !(m.content ?? m.message ?? "").includes("You said: control ");

  beforeAll(async () => {
    mm = await startMattermostWebSocketFake({ botToken: BOT_TOKEN });
    mm.state.usernames.set(alice, "alice");
    mm.rest.addBotTo(dmChannel, "D");
    mm.rest.addBotTo(townSquare, "O");
    // History from before the channel existed: never answered.
    mm.rest.userPost(dmChannel, "an old message from last week", "", alice);
    gw = await startGateway({ port: PORT, env: { API_RATE_LIMIT_PER_MINUTE: "100000" } });
    api = (await setupAdmin(gw)).api;
    const created = await api<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: "mattermost-host" });
    bridgeToken = created.body.token;
    bridgeId = created.body.bridge.id;
    const ch = await api<{ channel: { id: string } }>("POST", "/api/channels", {
      type: "mattermost-ws",
      name: "Mattermost",
      policy: "open",
      // One person writes every message here, control messages included: above the default 10 a minute.
      rateLimitPerMinute: 60,
      config: { bridgeId, serverUrl: mm.url, botToken: BOT_TOKEN },
    });
    expect(ch.status, JSON.stringify(ch.body)).toBe(201);
    expect(JSON.stringify(ch.body)).not.toContain(BOT_TOKEN);
    channelId = ch.body.channel.id;
    bridge = startBridge({ url: gw.url, token: bridgeToken, dataDir });
  });

  afterAll(async () => {
    keepLogs({ "bridge-mattermost.log": bridge?.output() });
    await bridge?.stop();
    await gw?.stop();
    await mm?.close();
    if (gw) removeState(gw.stateDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("authenticates the socket with the bot token and reports the channel connected", async () => {
    await waitFor(async () => (await channel()).status === "connected", 30_000, "mattermost-ws channel connected");
    expect(mm.state.challenges).toEqual([BOT_TOKEN]);
    expect(mm.connected).toBe(1);
    expect(mm.state.protocolErrors).toEqual([]);
  });

  it("answers a DM inline and a mention in its thread; ignores chatter, history and its own posts", async () => {
    dm("hello from a DM");
    await answered("hello from a DM");
    expect(answersTo("hello from a DM")[0]).toMatchObject({ channel_id: dmChannel, root_id: "" });

    mm.rest.userPost(townSquare, "people talking among themselves", "", alice);
    const mention = mm.rest.userPost(townSquare, "@loopbot what is 2+2?", "", alice);
    await answered("what is 2+2?");
    expect(answersTo("what is 2+2?")[0]).toMatchObject({ channel_id: townSquare, root_id: mention.id });
    expect(answersTo("what is 2+2?")[0]?.message).not.toContain("@loopbot");
    await settled();
    // Two answers, no more: the bot's own posts came back as posted events and were ignored.
    expect(botPosts().filter(notControl)).toHaveLength(2);
    expect(botPosts().every((p) => p.user_id === FAKE_BOT_USER_ID)).toBe(true);
    expect(answersTo("an old message from last week")).toHaveLength(0);
  });

  it("reconnects after a dropped socket and answers the post made meanwhile, once", async () => {
    mm.dropConnections();
    dm("sent while the socket was down");
    await waitFor(async () => mm.state.connections >= 2 && mm.connected === 1, 30_000, "a second WebSocket connection");
    await answered("sent while the socket was down");
    await waitFor(async () => (await channel()).status === "connected", 10_000, "connected after the reconnect");
    await settled();
    expect(answersTo("sent while the socket was down")).toHaveLength(1);
  });

  it("catches up from its cursor after a bridge restart mid-conversation: nothing lost, nothing answered twice", async () => {
    dm("first part of the conversation");
    await answered("first part of the conversation");

    dm("the bridge dies right after this one");
    await bridge.kill();
    dm("and this one arrives while it is down");
    const mention = mm.rest.userPost(townSquare, "@loopbot and a mention while it is down", "", alice);
    bridge = startBridge({ url: gw.url, token: bridgeToken, dataDir });
    await answered("the bridge dies right after this one");
    await answered("and this one arrives while it is down");
    await answered("and a mention while it is down");
    expect(answersTo("and a mention while it is down")[0]).toMatchObject({ root_id: mention.id });
    await settled();
    await settled((text) => mm.rest.userPost(townSquare, `@loopbot ${text}`, "", alice));
    for (const text of [
      "hello from a DM",
      "what is 2+2?",
      "sent while the socket was down",
      "first part of the conversation",
      "the bridge dies right after this one",
      "and this one arrives while it is down",
      "and a mention while it is down",
    ])
      expect(answersTo(text), text).toHaveLength(1);
    expect(answersTo("an old message from last week")).toHaveLength(0);
  });

  it("fails with what to do when the bot token is rejected, without a reconnect loop", async () => {
    const ch = await api<{ channel: { id: string } }>("POST", "/api/channels", {
      type: "mattermost-ws",
      name: "Mattermost (revoked token)",
      policy: "open",
      config: { bridgeId, serverUrl: mm.url, botToken: "revokedtokenrevokedtoken00" },
    });
    await waitFor(async () => (await channel(ch.body.channel.id)).status === "failed", 30_000, "the channel failed");
    expect((await channel(ch.body.channel.id)).lastError).toMatch(/rejected the bot token.*botToken/);
    expect(mm.state.challenges).not.toContain("revokedtokenrevokedtoken00");
  });
});
