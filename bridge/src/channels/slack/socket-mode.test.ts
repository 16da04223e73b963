/**
 * The bridge's Slack Socket Mode channel in-process, with bolt pointed at the Socket Mode fake:
 * token problems fail once and loudly (no reconnect loop), a 429 holds replies for its
 * Retry-After, and Slack's error codes map to retryable or final delivery outcomes.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { slackSocketChannel } from "./socket-mode";
import type { ChannelHost, RunningChannel } from "../shared/types";
import type { BridgeInboundMessage } from "../../../../src/protocol/bridge";
import { type SlackSocketModeFake, startSlackSocketModeFake } from "./fake-socket-mode";
import appMention from "../../../../src/channels/slack/fixtures/app-mention.json";
import { waitFor } from "../../../../test/support/gateway-process";

const BOT_TOKEN = "xoxb-unit-0000-fake";
const APP_TOKEN = "xapp-1-A0FAKEAPP1-unit-fake";

function recordingHost() {
  const states: { state: string; reason?: string }[] = [];
  const received: BridgeInboundMessage[] = [];
  const host: ChannelHost = {
    receive: (m) => received.push(m),
    state: (state, reason) => states.push({ state, reason }),
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    dataDir: mkdtempSync(join(tmpdir(), "slack-socket-unit-")),
  };
  return { host, states, received };
}

const reply = (text: string, extra: Record<string, string> = {}) => ({
  id: `r-${text}`,
  channelId: "ch_1",
  recipient: "U061F7AUR",
  conversationId: "C123ABC456",
  text,
  replyContext: extra,
});

describe("bridge Slack Socket Mode channel", () => {
  let slack: SlackSocketModeFake;
  let running: RunningChannel | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await slack?.close();
  });

  it("fails once with a clear reason when the app-level token is rejected, without a reconnect loop", async () => {
    slack = await startSlackSocketModeFake({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
    const { host, states } = recordingHost();
    running = slackSocketChannel.start(
      { id: "ch_1", type: "slack-socket", name: "s", config: { bridgeId: "brg_x", botToken: BOT_TOKEN, appToken: "xapp-1-wrong", apiBase: slack.apiUrl } },
      host,
    );
    await waitFor(async () => states.some((s) => s.state === "failed"), 10_000, "failed state");
    expect(states.find((s) => s.state === "failed")?.reason).toMatch(/invalid_auth.*xapp-/);
    // Longer than any first retry delay (START_RETRY base 1 s, full jitter): a retry would be here by now.
    await new Promise((r) => setTimeout(r, 1500));
    expect(slack.state.connections).toBe(0);
    expect(states.filter((s) => s.state === "failed")).toHaveLength(1);
  });

  it("rejects a config without an app-level token before connecting", () => {
    const { host } = recordingHost();
    expect(() => slackSocketChannel.start({ id: "ch_1", type: "slack-socket", name: "s", config: { bridgeId: "brg_x", botToken: BOT_TOKEN } }, host)).toThrow(
      /appToken/,
    );
  });

  it("receives events, holds replies through a 429 for its Retry-After, and maps Slack errors", async () => {
    slack = await startSlackSocketModeFake({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
    const { host, states, received } = recordingHost();
    running = slackSocketChannel.start(
      { id: "ch_1", type: "slack-socket", name: "s", config: { bridgeId: "brg_x", botToken: BOT_TOKEN, appToken: APP_TOKEN, apiBase: slack.apiUrl } },
      host,
    );
    await waitFor(async () => states.at(-1)?.state === "connected", 10_000, "connected");

    slack.deliver(appMention);
    await waitFor(async () => received.length === 1, 5000, "event received");
    expect(received[0]).toMatchObject({
      senderId: "U061F7AUR",
      conversationId: "C123ABC456",
      platformMessageId: "Ev123ABC456",
      text: "is it everything a river should be?",
      replyContext: { threadTs: "1515449522.000016" },
    });

    slack.web.failNext("chat.postMessage", { status: 429, retryAfterSeconds: 1, error: "ratelimited" });
    expect(await running.send(reply("one", { threadTs: "1515449522.000016" }))).toMatchObject({ ok: false, retryable: true });
    const calls = () => slack.web.state.calls.filter((c) => c.method === "chat.postMessage").length;
    const before = calls();
    // Within the Retry-After window the reply is held without calling Slack again.
    expect(await running.send(reply("one", { threadTs: "1515449522.000016" }))).toMatchObject({ ok: false, retryable: true });
    expect(calls()).toBe(before);
    // Past the 1 s Retry-After window the 429 asked for.
    await new Promise((r) => setTimeout(r, 1100));
    expect(await running.send(reply("**one**", { threadTs: "1515449522.000016" }))).toEqual({ ok: true });
    expect(slack.web.state.posted.at(-1)).toMatchObject({ channel: "C123ABC456", text: "*one*", thread_ts: "1515449522.000016" });

    slack.web.failNext("chat.postMessage", { status: 200, error: "channel_not_found" });
    expect(await running.send(reply("two"))).toEqual({ ok: false, retryable: false, error: "Slack: channel_not_found" });
    slack.web.failNext("chat.postMessage", { status: 200, error: "internal_error" });
    expect(await running.send(reply("three"))).toMatchObject({ ok: false, retryable: true });
  });
});
