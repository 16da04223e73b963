/**
 * Tool approvals on Teams through the whole Worker (workerd, real objects and D1): the turn stops
 * at an "ask first" call, the prompt goes out as an Adaptive Card with Approve/Deny
 * (Action.Submit), a press arrives as a message activity carrying the button's data, verified by
 * the Bot Framework JWT; the approver's press decides (the card is replaced, without buttons),
 * anyone else's is refused, told and recorded, a second press changes nothing; with the admin as
 * approver the card goes to the admin's personal chat once they wrote there, and before that the
 * feed says nobody was asked and the dashboard decides. The model is
 * scripted (test/fakes/pausing-runtime.ts): its resumed turn says which decision it got.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { conversationAgent } from "../../agent/runtime";
import { createTeamsChannel } from "../../../test/worker/teams-channel";
import { adminToken, call, eventually } from "../../../test/worker/helpers";
import { APPROVAL_JOB, pausingRuntime } from "../../../test/fakes/pausing-runtime";
import { type PostedActivity, type TeamsFake } from "./fake-bot-framework";
import channelMention from "./fixtures/message-channel-mention.json";
import personal from "./fixtures/message-personal.json";

let admin: string;
beforeAll(async () => {
  admin = await adminToken();
});
afterEach(() => vi.restoreAllMocks());

const teamsChannel = (approvals: Record<string, unknown>) => createTeamsChannel(admin, { agent: { approvals } });

/** A person in a Teams channel thread, as Teams names them. */
const person = (name: string) => ({ id: `29:${crypto.randomUUID()}`, name, aadObjectId: crypto.randomUUID() });

/** The documented channel @mention, from `from`, in a fresh thread. */
function mentionFrom(from: ReturnType<typeof person>, text: string) {
  const activity = structuredClone(channelMention);
  activity.id = String(Date.now() + Math.floor(Math.random() * 1e6));
  activity.conversation.id = `19:${crypto.randomUUID().replaceAll("-", "")}@thread.skype;messageid=${activity.id}`;
  activity.from = from;
  activity.text = `<at>Teams TestBot</at> ${text}`;
  return activity;
}

type Card = { body: { text: string }[]; actions?: { type: string; title: string; style?: string; data: { approvalId: string; approve: boolean } }[] };
const cardOf = (posted: PostedActivity) => posted.activity.attachments?.[0]?.content as unknown as Card;
const promptIn = (fake: TeamsFake, conversationId: string) =>
  eventually(async () => fake.state.posted.find((p) => p.conversationId === conversationId && cardOf(p)?.actions !== undefined));

const eventsOf = async (channelId: string, kind: string) =>
  (await call<{ events: { detail: Record<string, unknown> }[] }>("GET", `/api/events?channelId=${channelId}&kind=${kind}`, undefined, admin)).body.events;

describe("tool approvals on Teams", () => {
  it("asks with an Adaptive Card; a stranger's press is refused and recorded; the approver's decides once", async () => {
    vi.spyOn(conversationAgent, "runtime").mockReturnValue(pausingRuntime());
    const { fake, id, url } = await teamsChannel({ askFirst: ["schedule_job"], approver: "sender" });
    const sam = person("Sam Sender");
    const asked = mentionFrom(sam, "weather every morning please");
    expect((await fake.deliver(url, asked)).status).toBe(200);

    const prompt = await promptIn(fake, asked.conversation.id);
    expect(prompt.replyToId).toBe(asked.id);
    expect(prompt.activity.attachments?.[0]?.contentType).toBe("application/vnd.microsoft.card.adaptive");
    const card = cardOf(prompt);
    expect(card.body[0]?.text).toContain('schedule_job {"name":"Weather","cron":"0 8 * * *"');
    expect(card.actions?.map((a) => [a.type, a.title, a.style, a.data.approve])).toEqual([
      ["Action.Submit", "Approve", "positive", true],
      ["Action.Submit", "Deny", "destructive", false],
    ]);
    const approvalId = card.actions![0]!.data.approvalId;
    expect(approvalId).toMatch(/^evt_[0-9a-z]+$/);
    const pending = await call<{ approvals: { id: string; tools: unknown[]; approverId: string }[] }>("GET", "/api/approvals", undefined, admin);
    expect(pending.body.approvals).toContainEqual(
      expect.objectContaining({ id: approvalId, tools: [{ name: "schedule_job", input: APPROVAL_JOB }], approverId: sam.aadObjectId }),
    );

    // Someone else in the thread presses: refused, told so in the thread, recorded; the card keeps its buttons.
    const rae = person("Rae Stranger");
    const refused = await fake.pressButton(url, prompt, 0, rae);
    expect(await refused.json()).toMatchObject({ approval: "refused" });
    const note = await eventually(async () => fake.state.posted.find((p) => p.activity.text === "Only the approver can decide this."));
    expect(note).toMatchObject({ conversationId: asked.conversation.id, replyToId: prompt.id });
    expect(fake.state.updates).toEqual([]);
    expect(await eventsOf(id, "approval.refused")).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ approvalId, by: rae.aadObjectId, via: "teams" }) }),
    ]);

    expect(await (await fake.pressButton(url, prompt, 1, sam)).json()).toMatchObject({ approval: "decided" });
    expect(fake.state.updates).toHaveLength(1);
    expect(fake.state.updates[0]).toMatchObject({ id: prompt.id, conversationId: asked.conversation.id });
    const decidedCard = cardOf(fake.state.updates[0]!);
    expect(decidedCard.actions).toBeUndefined();
    expect(decidedCard.body[0]?.text).toContain("schedule_job");
    expect(decidedCard.body[0]?.text).toMatch(/❌ Denied by Sam Sender$/);
    const reply = await eventually(async () => fake.state.posted.find((p) => p.activity.text?.includes("decision: denied")));
    expect(reply.conversationId).toBe(asked.conversation.id);

    // A second press (a client that still shows the old card) changes nothing; nor does the dashboard.
    const stale: PostedActivity = {
      ...prompt,
      activity: { ...prompt.activity, attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content: card }] },
    };
    expect(await (await fake.pressButton(url, stale, 0, sam)).json()).toMatchObject({ approval: "already" });
    await eventually(async () => fake.state.posted.some((p) => p.activity.text === "This approval was already decided: denied."));
    expect(fake.state.updates).toHaveLength(1);
    expect((await call("POST", `/api/approvals/${approvalId}`, { decision: "approve" }, admin)).status).toBe(409);
    expect(await eventsOf(id, "approval.decided")).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ approvalId, decision: "denied", by: sam.aadObjectId, via: "teams" }) }),
    ]);
  });

  it("refuses forged presses: no or a wrong key gets 401, malformed data 400, an unknown approval is only answered", async () => {
    vi.spyOn(conversationAgent, "runtime").mockReturnValue(pausingRuntime());
    const { fake, url } = await teamsChannel({ askFirst: ["schedule_job"], approver: "sender" });
    const sam = person("Sam Sender");
    const asked = mentionFrom(sam, "please schedule");
    await fake.deliver(url, asked);
    const prompt = await promptIn(fake, asked.conversation.id);
    const approvalId = cardOf(prompt).actions![0]!.data.approvalId;
    const press = { ...mentionFrom(sam, ""), text: undefined, replyToId: prompt.id, value: { action: "loopgate.approval", approvalId, approve: true } };
    press.conversation.id = asked.conversation.id;
    expect((await fake.deliver(url, press, { token: null })).status).toBe(401);
    const forged = await fake.signToken({ serviceUrl: fake.baseUrl, key: await fake.unpublishedKey() });
    expect((await fake.deliver(url, press, { token: forged })).status).toBe(401);
    expect((await fake.deliver(url, { ...press, value: { action: "loopgate.approval", approvalId: "evt_x; drop", approve: "yes" } })).status).toBe(400);
    expect(fake.state.updates).toEqual([]);
    expect((await call<{ approvals: { id: string }[] }>("GET", "/api/approvals", undefined, admin)).body.approvals.map((a) => a.id)).toContain(approvalId);

    const unknown = await fake.deliver(url, { ...press, value: { action: "loopgate.approval", approvalId: "evt_doesnotexist0", approve: true } });
    expect(await unknown.json()).toMatchObject({ approval: "unknown" });
    await eventually(async () => fake.state.posted.some((p) => p.activity.text === "This approval no longer exists."));
  });

  it("approves: the card shows who approved and the agent gets the approval", async () => {
    vi.spyOn(conversationAgent, "runtime").mockReturnValue(pausingRuntime());
    const { fake, url } = await teamsChannel({ askFirst: ["schedule_job"], approver: "sender" });
    const sam = person("Sam Sender");
    const asked = mentionFrom(sam, "schedule it");
    await fake.deliver(url, asked);
    const prompt = await promptIn(fake, asked.conversation.id);
    expect(await (await fake.pressButton(url, prompt, 0, sam)).json()).toMatchObject({ approval: "decided" });
    expect(cardOf(fake.state.updates[0]!).body[0]?.text).toMatch(/✅ Approved by Sam Sender$/);
    const reply = await eventually(async () => fake.state.posted.find((p) => p.activity.text?.includes("decision: approved")));
    expect(reply.conversationId).toBe(asked.conversation.id);
  });

  it("with approver admin: before the admin wrote, nobody is asked in chat and the feed says so; the dashboard decides", async () => {
    vi.spyOn(conversationAgent, "runtime").mockReturnValue(pausingRuntime());
    const adminId = crypto.randomUUID();
    const { fake, id, url } = await teamsChannel({ askFirst: ["schedule_job"], approver: "admin", adminSenderId: adminId });
    const asked = mentionFrom(person("Sam Sender"), "schedule it");
    await fake.deliver(url, asked);
    const unreachable = await eventually(async () => (await eventsOf(id, "approval.unreachable"))[0]);
    expect(unreachable.detail).toMatchObject({ approverId: adminId, adminAction: true });
    expect(String(unreachable.detail.reason)).toContain("has not written to the bot in a one-to-one chat");
    const waiting = (
      await call<{ approvals: { id: string; approverId: string; unreachable: string | null }[] }>("GET", "/api/approvals", undefined, admin)
    ).body.approvals.find((a) => a.approverId === adminId)!;
    expect(waiting.unreachable).toContain("decide in the dashboard");
    expect(fake.state.posted.filter((p) => cardOf(p)?.actions)).toEqual([]);
    expect(await eventsOf(id, "reply.failed")).toEqual([]);
    expect((await call("POST", `/api/approvals/${waiting.id}`, { decision: "approve" }, admin)).status).toBe(200);
    const reply = await eventually(async () => fake.state.posted.find((p) => p.activity.text?.includes("decision: approved by admin")));
    expect(reply.conversationId).toBe(asked.conversation.id);
  });

  it("with approver admin: once the admin wrote in a personal chat, the card goes there and their press decides", async () => {
    const ada = person("Ada Admin");
    const { fake, id, url } = await teamsChannel({ askFirst: ["schedule_job"], approver: "admin", adminSenderId: ada.aadObjectId });
    // The admin's hello in their personal chat with the bot: its conversation is kept.
    const hello = structuredClone(personal);
    hello.from = ada;
    hello.conversation.id = `a:${crypto.randomUUID().replaceAll("-", "")}`;
    expect((await fake.deliver(url, hello)).status).toBe(200);
    // Answered by the echo agent (no model configured), so the hello itself asks nothing.
    await eventually(async () => fake.state.posted.find((p) => p.conversationId === hello.conversation.id && p.replyToId === hello.id));

    vi.spyOn(conversationAgent, "runtime").mockReturnValue(pausingRuntime());
    const asked = mentionFrom(person("Sam Sender"), "schedule it");
    await fake.deliver(url, asked);
    const prompt = await promptIn(fake, hello.conversation.id);
    // A proactive message: posted into the conversation, not as a reply to an activity.
    expect(prompt.replyToId).toBeUndefined();
    expect(cardOf(prompt).body[0]?.text).toContain("for Sam Sender");
    expect(await eventsOf(id, "approval.unreachable")).toEqual([]);
    expect(await (await fake.pressButton(url, prompt, 0, ada)).json()).toMatchObject({ approval: "decided" });
    expect(cardOf(fake.state.updates[0]!).body[0]?.text).toMatch(/✅ Approved by Ada Admin$/);
    const reply = await eventually(async () => fake.state.posted.find((p) => p.activity.text?.includes("decision: approved")));
    expect(reply.conversationId).toBe(asked.conversation.id);
  });
});
