/**
 * Slack Socket Mode end to end: the gateway (`npm start`) and the bridge as processes, and a
 * fake Slack (Web API + Socket Mode WebSocket) on 127.0.0.1 that bolt is pointed at. Slack's
 * documented event payloads arrive in envelopes; replies go back with chat.postMessage in the
 * mention's thread; every envelope is acknowledged and a redelivered one is answered once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SlackSocketModeFake, startSlackSocketModeFake } from "./fake-socket-mode";
import appMention from "../../../../src/channels/slack/fixtures/app-mention.json";
import messageIm from "../../../../src/channels/slack/fixtures/message-im.json";
import { type BridgeProcess, startBridge } from "../../../../test/support/bridge-process";
import { type GatewayProcess, removeState, setupAdmin, startGateway, waitFor } from "../../../../test/support/gateway-process";
import { keepLogs } from "../../../../test/support/e2e-logs";

const PORT = 8940;
const BOT_TOKEN = "xoxb-e2e-socket-0000-fake";
const APP_TOKEN = "xapp-1-A0FAKEAPP1-0000-fake";

describe("Slack Socket Mode through the bridge", () => {
  let gw: GatewayProcess;
  let slack: SlackSocketModeFake;
  let bridge: BridgeProcess;
  let api: Awaited<ReturnType<typeof setupAdmin>>["api"];
  let channelId: string;
  const dataDir = mkdtempSync(join(tmpdir(), "loopgate-bridge-slack-"));
  const channel = async () => (await api<{ channel: { status: string; lastError: string | null } }>("GET", `/api/channels/${channelId}`)).body.channel;
  const postedTo = (ch: string) => slack.web.state.posted.filter((p) => p.channel === ch);
  /** One more mention in the channel, answered: everything before it is settled (see test/support/after-control.ts). */
  const settled = async () => {
    const text = `control ${crypto.randomUUID().slice(0, 8)}`;
    slack.deliver({
      ...appMention,
      event_id: `Ev${crypto.randomUUID().slice(0, 9)}`,
      event: { ...appMention.event, ts: `${Date.now() / 1000}`, text: `<@U0LAN0Z89> ${text}` },
    });
    await waitFor(async () => slack.web.state.posted.some((p) => p.text.includes(text)), 20_000, "the control reply");
  };
  const notControl = (p: { text: string }) => !p.text.includes("You said: control ");

  beforeAll(async () => {
    slack = await startSlackSocketModeFake({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
    gw = await startGateway({ port: PORT, env: { API_RATE_LIMIT_PER_MINUTE: "100000" } });
    api = (await setupAdmin(gw)).api;
    const created = await api<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: "office" });
    const ch = await api<{ channel: { id: string; config: Record<string, unknown> } }>("POST", "/api/channels", {
      type: "slack-socket",
      name: "Slack (Socket Mode)",
      policy: "open",
      config: { bridgeId: created.body.bridge.id, botToken: BOT_TOKEN, appToken: APP_TOKEN, apiBase: slack.apiUrl },
    });
    expect(ch.status).toBe(201);
    // Both tokens are secrets: never shown by the API.
    expect(JSON.stringify(ch.body)).not.toContain(BOT_TOKEN);
    expect(JSON.stringify(ch.body)).not.toContain(APP_TOKEN);
    channelId = ch.body.channel.id;
    bridge = startBridge({ url: gw.url, token: created.body.token, dataDir });
  });

  afterAll(async () => {
    keepLogs({ "bridge-slack.log": bridge?.output(), "gateway.log": gw?.output() });
    await bridge?.stop();
    await gw?.stop();
    await slack?.close();
    if (gw) removeState(gw.stateDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("connects with the app-level token and reports the channel connected", async () => {
    await waitFor(async () => (await channel()).status === "connected", 30_000, "slack-socket channel connected");
    expect(slack.state.connections).toBe(1);
    // The bot token was checked (auth.test) before the socket was opened.
    expect(slack.web.state.calls.some((c) => c.method === "auth.test")).toBe(true);
  });

  it("answers a mention in its thread, acknowledges the envelope, and answers a redelivery once", async () => {
    const first = slack.deliver(appMention);
    await waitFor(async () => postedTo("C123ABC456").length >= 1, 20_000, "reply to the mention");
    expect(slack.acked(first)).toBe(true);
    expect(postedTo("C123ABC456")[0]).toMatchObject({
      thread_ts: "1515449522.000016",
      text: expect.stringContaining("You said: is it everything a river should be?"),
    });

    // Slack redelivers an event it thinks was not handled: same event_id, a new envelope, retry_attempt 1.
    const again = slack.deliver(appMention, { attempt: 1, reason: "timeout" });
    await waitFor(async () => slack.acked(again), 10_000, "redelivered envelope acknowledged");
    await settled();
    expect(postedTo("C123ABC456").filter(notControl)).toHaveLength(1);
    expect(slack.state.protocolErrors).toEqual([]);
  });

  it("answers a DM inline, ignores the bot's own messages, and splits a long reply at Slack's limit", async () => {
    slack.deliver(messageIm);
    await waitFor(async () => postedTo("D024BE91L").length >= 1, 20_000, "reply to the DM");
    expect(postedTo("D024BE91L")[0]).toMatchObject({ text: expect.stringContaining("You said: Hello hello can you hear me?"), thread_ts: undefined });

    const own = {
      ...messageIm,
      event_id: "Ev0OWNBOT01",
      event: { ...messageIm.event, ts: "1355517524.000001", bot_id: "B0FAKE01", text: "a reply the bot posted" },
    };
    const ownEnvelope = slack.deliver(own);
    const long = "word ".repeat(900).trim();
    slack.deliver({ ...messageIm, event_id: "Ev0LONGMSG1", event: { ...messageIm.event, ts: "1355517525.000001", text: long } });
    await waitFor(async () => postedTo("D024BE91L").length >= 3, 20_000, "the long reply in two parts");
    // One more DM, answered: the bot's own message before it has been handled (and ignored) by then.
    const text = `control ${crypto.randomUUID().slice(0, 8)}`;
    slack.deliver({ ...messageIm, event_id: `Ev${crypto.randomUUID().slice(0, 9)}`, event: { ...messageIm.event, ts: `${Date.now() / 1000}`, text } });
    await waitFor(async () => postedTo("D024BE91L").some((p) => p.text.includes(text)), 20_000, "the control reply");
    const dm = postedTo("D024BE91L").filter(notControl);
    expect(slack.acked(ownEnvelope)).toBe(true);
    expect(dm.some((p) => p.text.includes("a reply the bot posted"))).toBe(false);
    expect(dm).toHaveLength(3);
    for (const part of dm.slice(1)) expect(part.text.length).toBeLessThanOrEqual(4000);
    expect(
      dm
        .slice(1)
        .map((p) => p.text)
        .join(" ")
        .split("word").length - 1,
    ).toBe(900);
  });

  it("reconnects when Slack asks it to (disconnect: refresh_requested) and keeps answering", async () => {
    slack.refresh();
    await waitFor(async () => slack.state.connections === 2 && slack.connected === 1, 30_000, "a second Socket Mode connection");
    await waitFor(async () => (await channel()).status === "connected", 10_000, "connected again");
    const before = postedTo("D024BE91L").length;
    slack.deliver({ ...messageIm, event_id: "Ev0AFTERREF", event: { ...messageIm.event, ts: "1355517526.000001", text: "still there?" } });
    await waitFor(async () => postedTo("D024BE91L").length === before + 1, 20_000, "reply after the reconnect");
    expect(postedTo("D024BE91L").at(-1)?.text).toContain("You said: still there?");
  });
});
