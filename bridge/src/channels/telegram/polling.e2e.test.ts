/**
 * Telegram long polling end to end: the gateway (`npm start`) and the bridge as processes,
 * grammY pointed at a fake Bot API on 127.0.0.1 that holds updates for getUpdates as Telegram
 * does. The bot starts in webhook mode and is switched to polling; a bridge killed while an
 * update is on its way loses nothing and answers nothing twice; a webhook channel's setup makes
 * the poller stand aside, and the polling channel's setup takes the bot back.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import groupChatter from "../../../../src/channels/telegram/fixtures/group-chatter.json";
import groupMention from "../../../../src/channels/telegram/fixtures/group-mention.json";
import textPrivate from "../../../../src/channels/telegram/fixtures/text-private.json";
import { createTelegramFake, tooManyRequests } from "../../../../src/channels/telegram/fake-bot-api";
import { serveFake } from "../../../../test/fakes/http-fake-server";
import { type BridgeGatewayParts, startBridgeGateway, stopBridgeGateway, telegramPollingChannel } from "../../../../test/support/bridge-gateway";
import type { BridgeProcess } from "../../../../test/support/bridge-process";
import { type setupAdmin, waitFor } from "../../../../test/support/gateway-process";

const PORT = 9200;
const TOKEN = "123456789:AAE2eFakeTelegramPollingToken";

describe("Telegram long polling through the bridge", () => {
  const fake = createTelegramFake({ token: TOKEN });
  let server: Awaited<ReturnType<typeof serveFake>>;
  let bridge: BridgeProcess;
  let runBridge: () => BridgeProcess;
  let api: Awaited<ReturnType<typeof setupAdmin>>["api"];
  let channelId: string;
  const dataDir = mkdtempSync(join(tmpdir(), "loopgate-bridge-telegram-"));
  const parts: BridgeGatewayParts = { dataDir, fakes: [] };
  const channel = async () => (await api<{ channel: { status: string; lastError: string | null } }>("GET", `/api/channels/${channelId}`)).body.channel;
  const calls = (method: string) => fake.state.calls.filter((c) => c.method === method);

  let nextId = 20_000;
  /** A private message from the fixture's user, queued on the fake server for getUpdates. */
  const say = (text: string) => {
    const update = structuredClone(textPrivate);
    update.update_id = nextId;
    update.message.message_id = nextId++;
    update.message.text = text;
    fake.enqueue(update);
    return update;
  };
  const repliesTo = (messageId: number) => fake.state.sent.filter((s) => s.reply_parameters?.message_id === messageId);
  const answered = (messageId: number) => waitFor(async () => repliesTo(messageId).length > 0, 20_000, `a reply to ${messageId}`);
  /** One more private message, answered: everything before it is settled (see test/support/after-control.ts). */
  const settled = () => answered(say(`control ${crypto.randomUUID().slice(0, 8)}`).message.message_id);

  beforeAll(async () => {
    server = await serveFake(fake.handle);
    parts.fakes.push(server);
    // The bot was in webhook mode before: switching to polling must delete the webhook.
    fake.state.webhook = { url: "https://old-gateway.example/hooks/ch_old", secret_token: "old-secret-token-0000" };
    const started = await startBridgeGateway(
      {
        port: PORT,
        env: { API_RATE_LIMIT_PER_MINUTE: "100000" },
        bridgeName: "home-lab",
        channels: (bridgeId) => [telegramPollingChannel(bridgeId, TOKEN, server.url)],
      },
      parts,
    );
    ({ api, bridge, runBridge } = started);
    expect(JSON.stringify(started.channels[0])).not.toContain(TOKEN);
    channelId = started.channels[0]!.channel.id;
  });

  afterAll(async () => {
    fake.onHandOut(undefined);
    await stopBridgeGateway(parts);
  });

  it("switches the bot from its webhook to polling and reports the channel connected", async () => {
    await waitFor(async () => (await channel()).status === "connected", 30_000, "telegram-polling channel connected");
    expect(fake.state.webhook).toBeNull();
    expect(calls("deleteWebhook")).toHaveLength(1);
    // Pending updates are kept on the switch, to be polled.
    expect(calls("deleteWebhook")[0]?.params.drop_pending_updates).not.toBe(true);
    const poll = calls("getUpdates")[0]?.params;
    expect(poll).toMatchObject({ timeout: 2, allowed_updates: ["message"] });
  });

  it("answers a private message as an HTML reply, with the typing indicator", async () => {
    const update = say("is 1 < 2 & 3 > 2?");
    await answered(update.message.message_id);
    expect(repliesTo(update.message.message_id)[0]).toMatchObject({ chat_id: "1111111", parse_mode: "HTML" });
    expect(repliesTo(update.message.message_id)[0]?.text).toContain("You said: is 1 &lt; 2 &amp; 3 &gt; 2?");
    expect(fake.state.chatActions).toContainEqual({ chat_id: "1111111", action: "typing" });
  });

  it("keeps renewing typing every 4 s while the reply is held, and stops once it is sent", async () => {
    // Telegram answers the first send 429 retry_after 6: the reply waits, the turn is not over for the person.
    fake.failNext("sendMessage", tooManyRequests(6));
    const typingIn = (chatId: string, from: number) =>
      fake.state.calls.slice(from).filter((c) => c.method === "sendChatAction" && String(c.params.chat_id) === chatId);
    const start = fake.state.calls.length;
    const update = say("take your time");
    await waitFor(async () => typingIn("1111111", start).length >= 2, 20_000, "typing renewed while the reply is held");
    expect(repliesTo(update.message.message_id)).toHaveLength(0);
    await answered(update.message.message_id);
    // Someone else's private message answered: the bridge has moved on, and no typing went to the answered chat since its reply.
    const other = structuredClone(textPrivate);
    other.update_id = nextId;
    other.message.message_id = nextId++;
    other.message.chat.id = 2222222;
    other.message.from.id = 2222222;
    other.message.text = "another chat";
    fake.enqueue(other);
    await answered(other.message.message_id);
    const replied = fake.state.calls.map((c) => c.method === "sendMessage" && String(c.params.text).includes("take your time")).lastIndexOf(true);
    expect(replied).toBeGreaterThan(start);
    expect(typingIn("1111111", replied + 1)).toEqual([]);
    expect(typingIn("2222222", replied + 1).length).toBeGreaterThan(0);
  });

  it("answers a mention in a group and ignores the group's chatter", async () => {
    fake.enqueue({ ...groupChatter, update_id: nextId++ });
    fake.enqueue({ ...groupMention, update_id: nextId++ });
    await answered(groupMention.message.message_id);
    // One more mention in the group, answered: the chatter before it has been handled by then.
    const control = structuredClone(groupMention);
    control.update_id = nextId;
    control.message.message_id = nextId++;
    control.message.text = `${groupMention.message.text} (control)`;
    fake.enqueue(control);
    await answered(control.message.message_id);
    const inGroup = fake.state.sent.filter((s) => s.chat_id === String(groupMention.message.chat.id) && !s.text.includes("(control)"));
    expect(inGroup).toHaveLength(1);
    expect(inGroup[0]?.text).toContain("You said: what is 2+2?");
  });

  it("loses nothing and answers nothing twice when the bridge is killed with an update on its way", async () => {
    const before = say("first half of a thought");
    await answered(before.message.message_id);

    // Kill the bridge the moment the fake hands it the next update, before it can confirm it.
    const inFlight = say("second half, in flight when the bridge dies");
    let killed: Promise<void> | null = null;
    fake.onHandOut((batch) => {
      if (!killed && batch.some((u) => u.update_id === inFlight.update_id)) killed = bridge.kill();
    });
    await waitFor(async () => killed !== null, 20_000, "the update handed out");
    await killed;
    fake.onHandOut(undefined);
    // Written while the bridge is down: Telegram keeps it.
    const whileDown = say("and a third message while the bridge is down");
    const offsetOnDisk = (JSON.parse(readFileSync(join(dataDir, "channels", channelId, "telegram-poll.json"), "utf8")) as { offset: number }).offset;

    const pollsBefore = calls("getUpdates").length;
    bridge = runBridge();
    await answered(inFlight.message.message_id);
    await answered(whileDown.message.message_id);
    // The restarted bridge resumed from the offset it had written down, not from scratch.
    expect(calls("getUpdates")[pollsBefore]?.params.offset).toBe(offsetOnDisk);
    await settled();
    for (const u of [before, inFlight, whileDown]) expect(repliesTo(u.message.message_id)).toHaveLength(1);
    // Updates confirmed before the kill were never handed out again.
    expect(fake.updates.handedOut.get(before.update_id)).toBe(1);
    const recorded = await api<{ messages: { platformMessageId: string | null; direction: string }[] }>(
      "GET",
      `/api/messages?channelId=${channelId}&limit=200`,
    );
    const inbound = recorded.body.messages.filter((m) => m.direction === "in" && m.platformMessageId === `1111111:${inFlight.message.message_id}`);
    expect(inbound).toHaveLength(1);
  });

  it("stands aside when a webhook channel takes the bot, and takes it back on its own setup", async () => {
    const webhook = await api<{ channel: { id: string; inboundUrl: string } }>("POST", "/api/channels", {
      type: "telegram",
      name: "Telegram (webhook)",
      policy: "open",
      config: { botToken: TOKEN, apiBase: server.url },
    });
    expect(webhook.status).toBe(201);
    const setWebhook = await api<{ ok: boolean }>("POST", `/api/channels/${webhook.body.channel.id}/setup`, {});
    expect(setWebhook.body.ok).toBe(true);
    await waitFor(async () => (await channel()).status === "failed", 20_000, "the poller stands aside");
    expect((await channel()).lastError).toContain("webhook mode");

    // The webhook channel now has the bot; the poller neither polls past the 409 nor deletes the webhook.
    const viaWebhook = structuredClone(textPrivate);
    viaWebhook.update_id = nextId;
    viaWebhook.message.message_id = nextId++;
    viaWebhook.message.text = "over the webhook now";
    expect((await fake.deliver(viaWebhook)).status).toBe(200);
    await answered(viaWebhook.message.message_id);
    const deletes = calls("deleteWebhook").length;
    // Standing aside, the poller checks the webhook once per poll interval: two more checks, and still no delete.
    const checks = calls("getWebhookInfo").length;
    await waitFor(async () => calls("getWebhookInfo").length >= checks + 2, 30_000, "two more stand-aside checks");
    expect(calls("deleteWebhook")).toHaveLength(deletes);
    expect(fake.state.webhook?.url).toBe(webhook.body.channel.inboundUrl);

    // Back to polling: the polling channel's setup deletes the webhook, and the bridge resumes.
    const back = await api<{ ok: boolean; steps: string[] }>("POST", `/api/channels/${channelId}/setup`, {});
    expect(back.body.ok).toBe(true);
    expect(fake.state.webhook).toBeNull();
    await waitFor(async () => (await channel()).status === "connected", 20_000, "polling again");
    const again = say("polled again");
    await answered(again.message.message_id);
  });
});
