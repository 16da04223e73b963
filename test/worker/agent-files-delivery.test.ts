/**
 * Files the agent sends, through the sender's object (docs/media.md): a container turn's result
 * with two files (a PNG and a CSV) reaches each platform's fake after the text, through the
 * outbound ledger, with the multipart each platform documents: Telegram sendPhoto and
 * sendDocument, Slack's external upload shared in the thread, Discord's `payload_json` with
 * `files[0]`. A channel without uploads gets a line naming the file. The result is handed to the
 * sender's object as the BridgeHub hands it over (`containerResult`); no bridge is connected.
 * In direct mode the runtime's files (code execution's, from the Files API) take the same way.
 */
import { env, runInDurableObject, SELF } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { conversationAgent } from "../../src/agent/runtime";
import { ZERO_USAGE } from "../../src/agent/types";
import { createDiscordFake } from "../../src/channels/discord/fake-api";
import ask from "../../src/channels/discord/fixtures/ask.json";
import { createSlackFake } from "../../src/channels/slack/fake-web-api";
import appMention from "../../src/channels/slack/fixtures/app-mention.json";
import { createTelegramFake, tooManyRequests } from "../../src/channels/telegram/fake-bot-api";
import textPrivate from "../../src/channels/telegram/fixtures/text-private.json";
import { toBase64 } from "../../src/lib/agent-files";
import { senderSession } from "../../src/objects/addresses";
import type { ContainerTurnResult } from "../../src/protocol/container";
import { adminToken, call, createWebhookChannel, eventually, fakeCallbacks, message, routeFetchTo, signedPost } from "./helpers";

/** A 1x1 PNG. */
const PNG = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="), (c) => c.charCodeAt(0));
const CSV = new TextEncoder().encode("month,total\nJuly,12\nAugust,19\n");

let admin: string;
let bridgeId: string;
beforeAll(async () => {
  admin = await adminToken();
  const bridge = await call<{ bridge: { id: string } }>("POST", "/api/bridges", { name: "files" }, admin);
  bridgeId = bridge.body.bridge.id;
});

const agent = () => ({ container: true, containerBridgeId: bridgeId });

function answered(text: string): ContainerTurnResult {
  return {
    outcome: "answered",
    text,
    // The names lie on purpose: the PNG is called .txt; its type comes from its bytes.
    files: [
      { name: "chart.txt", mediaType: "image/png", size: PNG.length, data: toBase64(PNG) },
      { name: "totals.csv", mediaType: "text/plain", size: CSV.length, data: toBase64(CSV) },
    ],
    calls: [],
    steps: 2,
    toolCalls: 2,
    queuedMs: 0,
    runMs: 40,
  };
}

/** Waits for the sender's container turn to be dispatched, then hands its result over as the BridgeHub does. */
async function finishTurn(channelId: string, senderId: string, result: ContainerTurnResult): Promise<void> {
  const session = senderSession(env, channelId, senderId);
  const runId = await eventually(() =>
    runInDurableObject(session, (_instance, state) => {
      try {
        return state.storage.sql.exec<{ run_id: string }>("SELECT run_id FROM container_waits").toArray()[0]?.run_id;
      } catch {
        return undefined; // the table is created on the first message
      }
    }),
  );
  await session.containerResult(runId, result);
}

afterEach(() => {
  vi.restoreAllMocks();
});

/** A Telegram channel on its own fake; `agentSettings` decides direct or container mode. */
async function telegramChannel(agentSettings: Record<string, unknown> | undefined) {
  const token = `${100_000 + Math.floor(Math.random() * 900_000)}:AAfiles${crypto.randomUUID().replaceAll("-", "")}`;
  const fake = createTelegramFake({ token, deliverFetch: (url, init) => SELF.fetch(url, init) });
  const base = `https://telegram-${crypto.randomUUID().slice(0, 8)}.fake`;
  routeFetchTo(`${base}/`, fake.handle);
  const created = await call<{ channel: { id: string } }>(
    "POST",
    "/api/channels",
    { type: "telegram", name: "tg-files", policy: "open", config: { botToken: token, apiBase: base }, ...(agentSettings ? { agent: agentSettings } : {}) },
    admin,
  );
  expect(created.status).toBe(201);
  expect((await call<{ ok: boolean }>("POST", `/api/channels/${created.body.channel.id}/setup`, {}, admin)).body.ok).toBe(true);
  const u = structuredClone(textPrivate);
  const chatId = Math.floor(Math.random() * 1e9);
  Object.assign(u.message, { message_id: 77, text: "chart my sales" });
  u.message.chat.id = chatId;
  u.message.from.id = chatId;
  return { fake, id: created.body.channel.id, chatId, send: () => fake.deliver(u) };
}

describe("files the agent sends", () => {
  it("direct mode: files the runtime returns (code execution's) go out after the answer", async () => {
    const files = answered("").files!;
    vi.spyOn(conversationAgent, "runtime").mockReturnValue({
      model: "claude-test",
      mode: "anthropic",
      runTurn: async () => ({ ok: true, text: "Chart below.", files, usage: ZERO_USAGE, model: "claude-test", latencyMs: 5 }),
    });
    const tg = await telegramChannel(undefined);
    expect((await tg.send()).status).toBe(200);
    const sent = await eventually(async () => tg.fake.state.files.length === 2 && tg.fake.state.files);
    expect(tg.fake.state.sent.map((s) => s.text)).toEqual(["Chart below."]);
    expect(sent.map((f) => [f.method, f.filename])).toEqual([
      ["sendPhoto", "chart.txt"],
      ["sendDocument", "totals.csv"],
    ]);
  });

  it("Telegram: the text, then the PNG with sendPhoto and the CSV with sendDocument, as replies", async () => {
    const { fake, id, chatId, send } = await telegramChannel(agent());
    expect((await send()).status).toBe(200);

    await finishTurn(id, String(chatId), answered("Here is the chart."));
    const files = await eventually(async () => fake.state.files.length === 2 && fake.state.files);
    expect(fake.state.sent.map((s) => s.text)).toEqual(["Here is the chart."]);
    expect(files).toEqual([
      expect.objectContaining({ method: "sendPhoto", part: "photo", filename: "chart.txt", bytes: PNG, chat_id: String(chatId) }),
      expect.objectContaining({ method: "sendDocument", part: "document", filename: "totals.csv", bytes: CSV }),
    ]);
    expect(files[0]?.reply_parameters).toEqual({ message_id: 77, allow_sending_without_reply: true });
    // Text first, files after it: the order of the ledger.
    expect(files[0]!.message_id).toBeGreaterThan(fake.state.sent[0]!.message_id);
  });

  it("a rate-limited upload is retried after Telegram's retry_after and sent once; a refused one becomes the line", async () => {
    const { fake, id, chatId, send } = await telegramChannel(agent());
    fake.failNext("sendPhoto", tooManyRequests(1));
    fake.failNext("sendDocument", {
      status: 400,
      body: { ok: false, error_code: 400, description: "Bad Request: not enough rights to send documents to the chat" },
    });
    expect((await send()).status).toBe(200);
    await finishTurn(id, String(chatId), answered("Two files."));
    const sent = await eventually(async () => fake.state.files.length === 1 && fake.state.sent.length === 2 && fake.state.sent, 10_000);
    expect(fake.state.calls.filter((c) => c.method === "sendPhoto")).toHaveLength(2);
    expect(fake.state.files.map((f) => f.filename)).toEqual(["chart.txt"]);
    expect(sent.map((s) => s.text)).toEqual([
      "Two files.",
      "(The assistant made a file for you, totals.csv (30 B), but it could not be attached on this channel.)",
    ]);
    // Nothing is pending any more: each row left the ledger when it was delivered.
    const rows = await runInDurableObject(senderSession(env, id, String(chatId)), (_i, state) =>
      state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one(),
    );
    expect(rows.n).toBe(0);
  });

  it("Slack: each file uploaded to its upload URL and shared in the thread being answered", async () => {
    const botToken = `xoxb-${crypto.randomUUID()}`;
    const fake = createSlackFake({ botToken, signingSecret: "files-signing-secret-0123", deliverFetch: (url, init) => SELF.fetch(url, init) });
    routeFetchTo("https://slack-files.fake/", fake.handle);
    const created = await call<{ channel: { id: string; inboundUrl: string } }>(
      "POST",
      "/api/channels",
      {
        type: "slack",
        name: "slack-files",
        policy: "open",
        config: { botToken, signingSecret: "files-signing-secret-0123", apiBase: "https://slack-files.fake/api" },
        agent: agent(),
      },
      admin,
    );
    expect(created.status).toBe(201);
    const event = structuredClone(appMention);
    event.event_id = `Ev${crypto.randomUUID().slice(0, 10)}`;
    const user = `U${crypto.randomUUID().slice(0, 8).toUpperCase()}`;
    event.event.user = user;
    expect((await fake.deliver(created.body.channel.inboundUrl, event)).status).toBe(200);

    await finishTurn(created.body.channel.id, user, answered("Chart attached."));
    const files = await eventually(async () => fake.state.files.length === 2 && fake.state.files);
    const thread = event.event.ts;
    expect(fake.state.posted.map((p) => [p.text, p.thread_ts])).toEqual([["Chart attached.", thread]]);
    expect(files).toEqual([
      expect.objectContaining({ filename: "chart.txt", title: "chart.txt", bytes: PNG, channel_id: event.event.channel, thread_ts: thread }),
      expect.objectContaining({ filename: "totals.csv", bytes: CSV, channel_id: event.event.channel, thread_ts: thread }),
    ]);
    // Step one went form-encoded with the declared length, as Slack documents.
    expect(fake.state.calls.filter((c) => c.method === "files.getUploadURLExternal").map((c) => c.body)).toEqual([
      { filename: "chart.txt", length: String(PNG.length) },
      { filename: "totals.csv", length: String(CSV.length) },
    ]);
  });

  it("Discord: follow-ups of the interaction, each file in files[0] named by payload_json", async () => {
    const botToken = `bot-${crypto.randomUUID()}`;
    const appId = "223456789012345678";
    const fake = await createDiscordFake({ applicationId: appId, botToken, deliverFetch: (url, init) => SELF.fetch(url, init) });
    routeFetchTo("https://discord-files.fake/", fake.handle);
    const created = await call<{ channel: { id: string; inboundUrl: string } }>(
      "POST",
      "/api/channels",
      {
        type: "discord",
        name: "discord-files",
        policy: "open",
        config: { applicationId: appId, publicKey: fake.publicKey, botToken, apiBase: "https://discord-files.fake/api/v10" },
        agent: agent(),
      },
      admin,
    );
    expect(created.status).toBe(201);
    const i = structuredClone(ask);
    i.id = String(BigInt(Date.now()) * 1000n + 7n);
    i.token = `token-${crypto.randomUUID()}`;
    const userId = String(Math.floor(Math.random() * 1e17));
    i.member.user.id = userId;
    expect((await fake.deliver(created.body.channel.inboundUrl, i)).status).toBe(200);

    await finishTurn(created.body.channel.id, userId, answered("Done."));
    const withFiles = await eventually(async () => {
      const m = fake.state.messages.filter((x) => x.attachments);
      return m.length === 2 && m;
    });
    expect(fake.state.messages[0]).toMatchObject({ kind: "original", content: "Done." });
    expect(withFiles.map((m) => [m.kind, m.token, m.attachments?.map((a) => [a.part, a.filename, a.bytes])])).toEqual([
      ["followup", i.token, [["files[0]", "chart.txt", PNG]]],
      ["followup", i.token, [["files[0]", "totals.csv", CSV]]],
    ]);
  });

  it("a channel without uploads gets a line naming each file, after the text", async () => {
    const callbacks = fakeCallbacks();
    try {
      const ch = await createWebhookChannel(admin, { policy: "open", agent: agent() });
      expect((await signedPost(ch.url, ch.secret, message("fiona", "make me a chart"))).status).toBe(200);
      await finishTurn(ch.id, "fiona", answered("Here you go."));
      const texts = await eventually(async () => callbacks.captured.length === 3 && callbacks.captured.map((c) => (c.body as { text: string }).text));
      expect(texts).toEqual([
        "Here you go.",
        "(The assistant made a file for you, chart.txt (70 B), but it could not be attached on this channel.)",
        "(The assistant made a file for you, totals.csv (30 B), but it could not be attached on this channel.)",
      ]);
    } finally {
      callbacks.restore();
    }
  });
});
