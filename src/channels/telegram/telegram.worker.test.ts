/**
 * Telegram through the whole Worker: the admin creates the channel, setup registers the
 * webhook with the fake Bot API, the fake delivers updates to /hooks/:id like Telegram, and
 * replies come back through grammY to the fake. The Worker and its objects share this isolate,
 * so a fetch spy routes https://telegram.fake to the fake.
 */
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createTelegramFake, tooManyRequests, type TelegramFake } from "./fake-bot-api";
import textPrivate from "./fixtures/text-private.json";
import { settleWithControl } from "../../../test/support/after-control";
import { adminToken, call, eventually, routeFetchTo } from "../../../test/worker/helpers";

const API_BASE = "https://telegram.fake";
let admin: string;
beforeAll(async () => {
  admin = await adminToken();
});

/** A fake Bot API for a fresh bot, and a channel for it whose webhook is registered. */
async function telegramChannel() {
  const token = `${100_000 + Math.floor(Math.random() * 900_000)}:AAfake${crypto.randomUUID().replaceAll("-", "")}`;
  const fake = createTelegramFake({ token, deliverFetch: (url, init) => SELF.fetch(url, init) });
  routeFetchTo(`${API_BASE}/`, fake.handle);
  const created = await call<{ channel: { id: string; inboundUrl: string }; generatedSecrets: { secretToken?: string } }>(
    "POST",
    "/api/channels",
    { type: "telegram", name: "tg", policy: "open", config: { botToken: token, apiBase: API_BASE } },
    admin,
  );
  expect(created.status).toBe(201);
  expect(created.body.generatedSecrets.secretToken).toMatch(/^[\w-]{43}$/);
  const setup = await call<{ ok: boolean }>("POST", `/api/channels/${created.body.channel.id}/setup`, {}, admin);
  expect(setup.body.ok).toBe(true);
  return { fake, id: created.body.channel.id, url: created.body.channel.inboundUrl };
}

function update(fake: TelegramFake, text: string, chatId = Math.floor(Math.random() * 1e9), messageId = 1365) {
  const u = structuredClone(textPrivate);
  u.update_id = Math.floor(Math.random() * 1e9);
  Object.assign(u.message, { message_id: messageId, text });
  u.message.chat.id = chatId;
  u.message.from.id = chatId;
  return { update: u, chatId: String(chatId), send: () => fake.deliver(u) };
}

/** Waits until a fresh message from chat `chatId` is answered: what came before it is settled. */
const settled = (fake: TelegramFake, chatId: string) =>
  settleWithControl(
    (text) => update(fake, text, Number(chatId), 9999).send(),
    fake.state.sent,
    (s) => s.text,
  );

const messagesOf = async (channelId: string) =>
  (await call<{ messages: { direction: string }[] }>("GET", `/api/messages?channelId=${channelId}`, undefined, admin)).body.messages;

describe("Telegram channel, through the whole pipeline", () => {
  it("registers the webhook, answers a private message as an HTML reply to it", async () => {
    const { fake, url } = await telegramChannel();
    expect(fake.state.webhook).toMatchObject({ url, allowed_updates: ["message", "callback_query"], secret_token: expect.stringMatching(/^[\w-]{43}$/) });
    const u = update(fake, "hello <bot> & co");
    const res = await u.send();
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, accepted: 1 });
    const [sent] = await eventually(async () => fake.state.sent.length > 0 && fake.state.sent);
    expect(sent).toMatchObject({ chat_id: u.chatId, parse_mode: "HTML", reply_parameters: { message_id: 1365 } });
    expect(sent!.text).toContain("You said: hello &lt;bot&gt; &amp; co");
    expect(fake.state.chatActions).toContainEqual({ chat_id: u.chatId, action: "typing" });
  });

  it("rejects a wrong or missing secret token with 401 and stores nothing", async () => {
    const { fake, id } = await telegramChannel();
    const u = update(fake, "let me in");
    expect((await fake.deliver(u.update, "wrong-secret-token-wrong-secret")).status).toBe(401);
    expect((await fake.deliver(u.update, null)).status).toBe(401);
    await settled(fake, u.chatId);
    expect(await messagesOf(id)).toHaveLength(2); // the control message and its reply only
    expect(fake.state.sent).toEqual([]);
  });

  it("answers signed updates whose fields have the wrong types with a 4xx or an ignored 200, storing nothing", async () => {
    const { fake, id } = await telegramChannel();
    const chatId = Math.floor(Math.random() * 1e9);
    const malformed: Array<(u: ReturnType<typeof update>["update"]) => void> = [
      (u) => Object.assign(u.message, { text: 42 }),
      (u) => Object.assign(u.message, { text: { bold: "hello" } }),
      (u) => Object.assign(u.message, { text: "hi @someone", entities: [{ type: "mention", offset: "0", length: null }] }),
      (u) => Object.assign(u.message, { caption: ["a"], text: undefined }),
      (u) => Object.assign(u.message, { photo: "not a list" }),
      (u) => Object.assign(u.message.from, { is_bot: "no", first_name: 7 }),
    ];
    for (const [i, mutate] of malformed.entries()) {
      const u = update(fake, "valid text", chatId, 2000 + i);
      mutate(u.update);
      const res = await u.send();
      expect(res.status, `case ${i}: ${JSON.stringify(u.update.message)}`).toBeLessThan(500);
      if (res.status === 200) expect(await res.json(), `case ${i}`).toMatchObject({ ignored: expect.any(String) });
    }
    await settled(fake, String(chatId));
    expect(await messagesOf(id)).toHaveLength(2); // the control message and its reply only
    expect(fake.state.sent).toEqual([]);
  });

  it("answers a redelivered update once", async () => {
    const { fake } = await telegramChannel();
    const u = update(fake, "only once");
    expect(await (await u.send()).json()).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await (await u.send()).json()).toMatchObject({ accepted: 0, duplicates: 1 });
    await eventually(async () => fake.state.sent.length === 1);
    await settled(fake, u.chatId);
    expect(fake.state.sent).toHaveLength(1);
  });

  it("splits a long reply into messages under 4096 characters", async () => {
    const { fake } = await telegramChannel();
    await update(fake, "many words ".repeat(500)).send();
    await eventually(async () => fake.state.sent.length === 2);
    expect(fake.state.sent.map((s) => s.text.length).every((n) => n <= 4096)).toBe(true);
  });

  it("retries after Telegram's 429 retry_after and then delivers", async () => {
    const { fake, id } = await telegramChannel();
    fake.failNext("sendMessage", tooManyRequests(1));
    await update(fake, "rate limited").send();
    await eventually(async () => fake.state.sent.length === 1, 8000);
    expect(fake.state.calls.filter((c) => c.method === "sendMessage")).toHaveLength(2);
    const events = await call<{ events: { detail: { retryInMs?: number } }[] }>("GET", `/api/events?channelId=${id}&kind=reply.retrying`, undefined, admin);
    expect(events.body.events[0]?.detail.retryInMs).toBe(1000);
    const runs = await eventually(async () => {
      const r = await call<{ runs: { deliveryStatus: string }[] }>("GET", `/api/runs?channelId=${id}`, undefined, admin);
      return r.body.runs[0]?.deliveryStatus === "sent" && r.body.runs;
    });
    expect(runs).toHaveLength(1);
  });
});
