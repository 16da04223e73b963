/**
 * A tool approval for the admin on Teams, end to end: `npm start` with the real SDK pointed at the
 * fake Messages API and the fake Bot Framework. The admin writes to the bot once in a personal
 * chat (its conversation is kept); a sender's @mention makes the model call schedule_job, which
 * asks first; the Adaptive Card goes to the admin's personal chat as a proactive message; the
 * admin's Action.Submit press approves, the tool runs, and the sender gets the answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../../../test/fakes/anthropic-messages";
import { setupAdmin, waitFor } from "../../../test/support/gateway-process";
import { createChannelWithSetup, platformGateway } from "../../../test/support/platform-gateway";
import { createTeamsFake, type PostedActivity, type TeamsFake } from "./fake-bot-framework";
import channelMention from "./fixtures/message-channel-mention.json";
import personal from "./fixtures/message-personal.json";
import { APP_ID, teamsConfigFor } from "./test-profile";

const PORT = 10350;
const KEY = "sk-ant-e2e-teams-approvals-51c9";
const APP_PASSWORD = "e2e-teams-approvals-client-secret";
const ADA = { id: "29:1ada-admin-teams-id", name: "Ada Admin", aadObjectId: "4a9d2c1e-7b3f-4e0a-9c55-0d2b8e6f1a77" };
const JOB = { name: "Standup", cron: "0 9 * * 1-5", prompt: "Remind me of the standup" };

type Card = { body: { text: string }[]; actions?: { type: string; title: string }[] };
const cardOf = (p: PostedActivity) => p.activity.attachments?.[0]?.content as unknown as Card | undefined;

describe("tool approvals for the admin on Teams, end to end", () => {
  let anthropic: FakeAnthropic;
  let fake: TeamsFake;
  beforeAll(async () => {
    anthropic = await startFakeAnthropic({ apiKey: KEY });
  });
  const platform = platformGateway({
    port: PORT,
    fake: async () => {
      fake = await createTeamsFake({ appId: APP_ID, appPassword: APP_PASSWORD });
      return fake.handle;
    },
    env: () => ({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: anthropic.url, AGENT_RETRY_BASE_MS: "50" }),
  });
  beforeAll(() => fake.setBaseUrl(platform.fakeUrl));
  afterAll(async () => {
    await anthropic?.close();
  });

  it("sends the card to the admin's personal chat once they wrote; their press runs the tool and the sender gets the answer", async () => {
    const { api } = await setupAdmin(platform.gw);
    const { id, inboundUrl: url } = await createChannelWithSetup(api, {
      type: "teams",
      name: "Teams approvals",
      policy: "open",
      config: teamsConfigFor(platform.fakeUrl, APP_PASSWORD),
      agent: { tools: ["schedule_job"], approvals: { askFirst: ["schedule_job"], adminSenderId: ADA.aadObjectId } },
    });

    // The admin says hello in their personal chat: answered, and the chat is kept for later prompts.
    anthropic.enqueue({ kind: "text", text: "Hello Ada." });
    const hello = { ...structuredClone(personal), from: ADA };
    expect((await fake.deliver(url, hello)).status).toBe(200);
    await waitFor(async () => fake.state.posted.some((p) => p.replyToId === hello.id), 30_000, "the answer to the admin's hello");

    anthropic.enqueue({ kind: "tool_use", name: "schedule_job", input: JOB }, { kind: "text", text: "Scheduled for weekdays at 9." });
    const asked = structuredClone(channelMention);
    asked.text = "<at>Teams TestBot</at> remind me of the standup every weekday";
    expect((await fake.deliver(url, asked)).status).toBe(200);
    await waitFor(async () => fake.state.posted.some((p) => cardOf(p)?.actions), 30_000, "the approval card");
    const prompt = fake.state.posted.find((p) => cardOf(p)?.actions)!;
    expect(prompt.conversationId).toBe(personal.conversation.id);
    expect(prompt.replyToId).toBeUndefined();
    expect(cardOf(prompt)!.body[0]!.text).toContain("schedule_job");
    expect(fake.state.posted.some((p) => p.conversationId === asked.conversation.id)).toBe(false);

    expect(await (await fake.pressButton(url, prompt, 0, ADA)).json()).toMatchObject({ approval: "decided" });
    expect(cardOf(fake.state.updates[0]!)!.body[0]!.text).toMatch(/✅ Approved by Ada Admin$/);
    await waitFor(async () => fake.state.posted.some((p) => p.replyToId === asked.id), 30_000, "the answer to the sender");
    expect(fake.state.posted.find((p) => p.replyToId === asked.id)!.activity.text).toContain("Scheduled for weekdays at 9.");
    const jobs = await api<{ jobs: { name: string }[] }>("GET", "/api/jobs");
    expect(jobs.body.jobs).toContainEqual(expect.objectContaining({ name: JOB.name }));
    const decided = await api<{ events: { detail: Record<string, unknown> }[] }>("GET", `/api/events?channelId=${id}&kind=approval.decided`);
    expect(decided.body.events).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ decision: "approved", by: ADA.aadObjectId, via: "teams" }) }),
    ]);
  });
});
