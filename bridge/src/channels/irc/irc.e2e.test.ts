/// <reference path="./irc-framework.d.ts" />
/**
 * IRC end to end: the gateway and the bridge as processes, a real IRC server (ngircd) on
 * 127.0.0.1, and a second, plain IRC client as the human. The offline echo model answers.
 */
import { Client, type IrcMessageEvent } from "irc-framework";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBridge, type BridgeProcess } from "../../../../test/support/bridge-process";
import { apiClient, type GatewayProcess, setupAdmin, startGateway, waitFor } from "../../../../test/support/gateway-process";
import { startNgircd } from "./ngircd";

const GATEWAY_PORT = 8821;
const IRC_PORT = 8830;

/** The human: a plain IRC client that records what it receives. */
async function human(nick: string, channel: string) {
  const client = new Client();
  const received: IrcMessageEvent[] = [];
  client.on("message", (e: IrcMessageEvent) => received.push(e));
  const joined = new Promise<void>((resolve) => client.on("join", (e: { nick: string }) => e.nick === nick && resolve()));
  client.connect({ host: "127.0.0.1", port: IRC_PORT, nick, username: nick, gecos: "a human", auto_reconnect: false, message_max_length: 450 });
  await new Promise<void>((resolve) => client.once("registered", () => resolve()));
  client.join(channel);
  await joined;
  return { client, received, quit: () => client.quit("bye") };
}

describe("IRC through the bridge", () => {
  let gw: GatewayProcess;
  let api: ReturnType<typeof apiClient>;
  let irc: Awaited<ReturnType<typeof startNgircd>>;
  let bridge: BridgeProcess;
  let channelId: string;
  let alice: Awaited<ReturnType<typeof human>>;
  const status = async () => (await api<{ channel: { status: string } }>("GET", `/api/channels/${channelId}`)).body.channel.status;

  beforeAll(async () => {
    irc = await startNgircd(IRC_PORT);
    gw = await startGateway({ port: GATEWAY_PORT, env: { API_RATE_LIMIT_PER_MINUTE: "100000" } });
    api = (await setupAdmin(gw)).api;
    const created = await api<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: "irc-host" });
    const ch = await api<{ channel: { id: string } }>("POST", "/api/channels", {
      type: "irc",
      name: "IRC",
      policy: "open",
      config: { bridgeId: created.body.bridge.id, host: "127.0.0.1", port: IRC_PORT, tls: false, nick: "loopbot", channels: ["#lobby"], floodIntervalMs: 300 },
    });
    expect(ch.status).toBe(201);
    channelId = ch.body.channel.id;
    bridge = startBridge({ url: gw.url, token: created.body.token, dataDir: mkdtempSync(join(tmpdir(), "loopgate-irc-bridge-")) });
    await waitFor(async () => (await status()) === "connected", 30_000, "IRC channel connected");
    alice = await human("alice", "#lobby");
  });

  afterAll(async () => {
    alice?.quit();
    await bridge?.kill();
    await gw?.stop();
    await irc?.stop();
  });

  it("answers a private message in private", async () => {
    alice.client.say("loopbot", "hello bot");
    await waitFor(
      async () => alice.received.some((m) => m.nick === "loopbot" && m.target === "alice" && m.message.includes("You said: hello bot")),
      30_000,
      "PM reply",
    );
  });

  it("answers in a channel only when addressed by nick, addressing the asker", async () => {
    alice.client.say("#lobby", "just chatting, nobody in particular");
    alice.client.say("#lobby", "loopbot: what is the plan?");
    await waitFor(async () => alice.received.some((m) => m.target === "#lobby" && m.message.includes("You said: what is the plan?")), 30_000, "channel reply");
    const reply = alice.received.find((m) => m.target === "#lobby" && m.message.includes("what is the plan"))!;
    expect(reply.nick).toBe("loopbot");
    expect(reply.message.startsWith("alice: ")).toBe(true);
    expect(alice.received.some((m) => m.message.includes("nobody in particular"))).toBe(false);
  });

  it("splits a long reply into lines the server relays whole", async () => {
    // One line from the human (under its limit), but longer than one line once the echo prefixes it.
    const words = Array.from({ length: 95 }, (_, i) => `w${i}`).join(" ");
    const before = alice.received.length;
    alice.client.say("loopbot", words);
    await waitFor(async () => alice.received.slice(before).some((m) => m.message.includes("w94")), 30_000, "last line of a long reply");
    const lines = alice.received.slice(before).filter((m) => m.nick === "loopbot");
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(Buffer.byteLength(`:loopbot!~loopbot@127.0.0.1 PRIVMSG alice :${line.message}\r\n`)).toBeLessThanOrEqual(512);
    expect(lines.map((l) => l.message).join(" ")).toContain(words);
  });

  it("reconnects and rejoins after the IRC server restarts", async () => {
    alice.quit();
    await irc.stop();
    await waitFor(async () => (await status()) === "connecting", 20_000, "channel reported connecting");
    await irc.start();
    await waitFor(async () => (await status()) === "connected", 60_000, "channel connected again");
    alice = await human("alice", "#lobby");
    alice.client.say("#lobby", "loopbot, are you back?");
    await waitFor(
      async () => alice.received.some((m) => m.target === "#lobby" && m.message.includes("You said: are you back?")),
      30_000,
      "reply after the restart",
    );
  });
});
