/**
 * Tool approvals on Telegram through the whole Worker (workerd, real objects and D1): the turn
 * stops at an "ask first" call, the admin gets the prompt with Approve/Deny buttons, presses
 * arrive as callback_query updates verified by the channel's secret token, the approver's press
 * decides (answered, prompt edited), anyone else's is refused and recorded, a second press
 * changes nothing, and the timeout (the object's alarm) counts as denied. The model is scripted
 * (test/fakes/pausing-runtime.ts): it pauses, and its resumed turn says which decision it got.
 */
import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { conversationAgent } from "../../agent/runtime";
import { senderSession } from "../../objects/addresses";
import { adminToken, call, eventually, routeFetchTo } from "../../../test/worker/helpers";
import { APPROVAL_JOB, pausingRuntime } from "../../../test/fakes/pausing-runtime";
import { createTelegramFake, type TelegramFake } from "./fake-bot-api";
import textPrivate from "./fixtures/text-private.json";

const API_BASE = "https://telegram.fake";
const ADMIN = { id: 700_001, first_name: "Ada" };
const JOB = APPROVAL_JOB;
let admin: string;
beforeAll(async () => {
  admin = await adminToken();
});
afterEach(() => vi.restoreAllMocks());

async function telegramChannel(approvals: Record<string, unknown>) {
  const token = `${100_000 + Math.floor(Math.random() * 900_000)}:AAfake${crypto.randomUUID().replaceAll("-", "")}`;
  const fake = createTelegramFake({ token, deliverFetch: (url, init) => SELF.fetch(url, init) });
  routeFetchTo(`${API_BASE}/`, fake.handle);
  const created = await call<{ channel: { id: string } }>(
    "POST",
    "/api/channels",
    { type: "telegram", name: "tg", policy: "open", config: { botToken: token, apiBase: API_BASE }, agent: { approvals } },
    admin,
  );
  expect(created.status).toBe(201);
  expect((await call<{ ok: boolean }>("POST", `/api/channels/${created.body.channel.id}/setup`, {}, admin)).body.ok).toBe(true);
  return { fake, id: created.body.channel.id };
}

function sendFrom(fake: TelegramFake, userId: number, text: string) {
  const u = structuredClone(textPrivate);
  u.update_id = Math.floor(Math.random() * 1e9);
  Object.assign(u.message, { message_id: Math.floor(Math.random() * 1e6), text });
  u.message.chat.id = userId;
  u.message.from.id = userId;
  return fake.deliver(u);
}

const promptTo = (fake: TelegramFake, chatId: number) =>
  eventually(async () => fake.state.sent.find((m) => m.chat_id === String(chatId) && m.reply_markup !== undefined));

const button = (prompt: { reply_markup?: { inline_keyboard: { callback_data?: string }[][] } }, i: 0 | 1) =>
  prompt.reply_markup!.inline_keyboard[0]![i]!.callback_data!;

const eventsOf = async (channelId: string, kind: string) =>
  (await call<{ events: { detail: Record<string, unknown> }[] }>("GET", `/api/events?channelId=${channelId}&kind=${kind}`, undefined, admin)).body.events;

describe("tool approvals on Telegram", () => {
  it("asks the admin with buttons; others' presses are refused and recorded; the admin's decides once", async () => {
    vi.spyOn(conversationAgent, "runtime").mockReturnValue(pausingRuntime());
    const { fake, id } = await telegramChannel({ askFirst: ["schedule_job"], approver: "admin", adminSenderId: String(ADMIN.id) });
    const sender = 800_000 + Math.floor(Math.random() * 99_999);
    expect((await sendFrom(fake, sender, "weather every morning please")).status).toBe(200);

    const prompt = await promptTo(fake, ADMIN.id);
    expect(prompt.text).toContain("schedule_job");
    expect(prompt.text.replaceAll("&quot;", '"')).toContain('schedule_job {"name":"Weather","cron":"0 8 * * *"');
    expect(button(prompt, 0)).toMatch(/^apr:evt_[0-9a-z]+:y$/);
    expect(fake.state.sent.filter((m) => m.chat_id === String(sender))).toEqual([]);
    const [approve, deny] = [button(prompt, 0), button(prompt, 1)];
    const approvalId = approve.split(":")[1]!;
    const pending = await call<{ approvals: { id: string; tools: unknown[]; approverId: string }[] }>("GET", "/api/approvals", undefined, admin);
    expect(pending.body.approvals).toContainEqual(
      expect.objectContaining({ id: approvalId, tools: [{ name: "schedule_job", input: JOB }], approverId: String(ADMIN.id) }),
    );

    // The sender is not the approver: refused, told so, recorded; the prompt keeps its buttons.
    expect((await fake.pressButton(prompt.message_id, approve, { id: sender, first_name: "Sam" })).status).toBe(200);
    expect(fake.state.callbackAnswers.at(-1)).toMatchObject({ text: "Only the approver can decide this.", show_alert: true });
    expect(fake.state.edits).toEqual([]);
    expect(await eventsOf(id, "approval.refused")).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ approvalId, by: String(sender), via: "telegram" }) }),
    ]);

    expect((await fake.pressButton(prompt.message_id, deny, { id: ADMIN.id, first_name: ADMIN.first_name })).status).toBe(200);
    expect(fake.state.callbackAnswers.at(-1)).toMatchObject({ text: "Denied" });
    expect(fake.state.edits.at(-1)?.text).toMatch(/❌ Denied by Ada$/);
    expect(fake.state.edits.at(-1)?.reply_markup).toBeUndefined();
    const reply = await eventually(async () => fake.state.sent.find((m) => m.chat_id === String(sender)));
    expect(reply.text).toContain("decision: denied by admin");

    // A second decision changes nothing, from a button or the dashboard.
    const edits = fake.state.edits.length;
    // A client showing the old buttons still (Telegram apps can lag behind an edit).
    prompt.reply_markup = { inline_keyboard: [[{ text: "✅ Approve", callback_data: approve }]] };
    await fake.pressButton(prompt.message_id, approve, { id: ADMIN.id, first_name: ADMIN.first_name });
    expect(fake.state.callbackAnswers.at(-1)).toMatchObject({ text: "This approval was already decided: denied." });
    expect(fake.state.edits).toHaveLength(edits);
    expect((await call("POST", `/api/approvals/${approvalId}`, { decision: "approve" }, admin)).status).toBe(409);
    const decided = await eventsOf(id, "approval.decided");
    expect(decided).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ approvalId, decision: "denied", by: String(ADMIN.id), via: "telegram" }) }),
    ]);
    expect((await call<{ approvals: { id: string }[] }>("GET", "/api/approvals", undefined, admin)).body.approvals.map((a) => a.id)).not.toContain(approvalId);
  });

  it("refuses forged presses: a wrong secret token gets 401, an unknown approval is only answered", async () => {
    vi.spyOn(conversationAgent, "runtime").mockReturnValue(pausingRuntime());
    const { fake } = await telegramChannel({ askFirst: ["schedule_job"], adminSenderId: String(ADMIN.id) });
    await sendFrom(fake, 810_001, "please schedule");
    const prompt = await promptTo(fake, ADMIN.id);
    const forged = {
      update_id: 1,
      callback_query: { id: "q1", from: { id: ADMIN.id, is_bot: false, first_name: "Ada" }, chat_instance: "1", data: button(prompt, 0) },
    };
    expect((await fake.deliver(forged, "a-wrong-secret-token-of-some-length")).status).toBe(401);
    prompt.reply_markup = { inline_keyboard: [[{ text: "x", callback_data: "apr:evt_doesnotexist0:y" }]] };
    const res = await fake.pressButton(prompt.message_id, "apr:evt_doesnotexist0:y", ADMIN);
    expect(await res.json()).toMatchObject({ approval: "unknown" });
    expect(fake.state.callbackAnswers.at(-1)).toMatchObject({ text: "This approval no longer exists." });
  });

  it("the sender can be the approver; an unanswered prompt times out to denied at the object's alarm", async () => {
    vi.spyOn(conversationAgent, "runtime").mockReturnValue(pausingRuntime());
    const { fake, id } = await telegramChannel({ askFirst: ["schedule_job"], approver: "sender", timeoutSeconds: 60 });
    const sender = 820_000 + Math.floor(Math.random() * 9_999);
    await sendFrom(fake, sender, "schedule it");
    const prompt = await promptTo(fake, sender);
    expect(prompt.text).toContain("I would like to run");
    const stub = senderSession(env, id, String(sender));
    // Time passes: the deadline is moved into the past rather than waiting a minute.
    await runInDurableObject(stub, (_o, state) => state.storage.sql.exec("UPDATE approval_waits SET deadline = created_at"));
    await runDurableObjectAlarm(stub);
    const reply = await eventually(async () => fake.state.sent.find((m) => m.chat_id === String(sender) && m.reply_markup === undefined));
    expect(reply.text).toContain("decision: expired");
    const expired = await eventually(async () => (await eventsOf(id, "approval.decided")).length > 0 && eventsOf(id, "approval.decided"));
    expect(expired).toEqual([expect.objectContaining({ detail: expect.objectContaining({ decision: "expired", by: "timeout" }) })]);
    await fake.pressButton(prompt.message_id, button(prompt, 0), { id: sender, first_name: "Sam" });
    expect(fake.state.callbackAnswers.at(-1)).toMatchObject({ text: "This approval was already decided: expired." });
  });

  it("the dashboard's admins can decide any approval", async () => {
    vi.spyOn(conversationAgent, "runtime").mockReturnValue(pausingRuntime());
    const { fake } = await telegramChannel({ askFirst: ["schedule_job"], adminSenderId: String(ADMIN.id) });
    const sender = 830_000 + Math.floor(Math.random() * 9_999);
    await sendFrom(fake, sender, "schedule it");
    const prompt = await promptTo(fake, ADMIN.id);
    const approvalId = button(prompt, 0).split(":")[1]!;
    const decided = await call("POST", `/api/approvals/${approvalId}`, { decision: "approve" }, admin);
    expect(decided.body).toEqual({ id: approvalId, decision: "approved" });
    const reply = await eventually(async () => fake.state.sent.find((m) => m.chat_id === String(sender)));
    expect(reply.text).toContain("decision: approved by admin");
    expect((await call("POST", `/api/approvals/${approvalId}`, { decision: "approve" })).status).toBe(401);
  });
});
