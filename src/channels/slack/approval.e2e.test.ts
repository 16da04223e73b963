/**
 * A tool approval end to end on Slack: `npm start` with the real SDK pointed at the fake Messages
 * API and the fake Slack Web API. The model calls schedule_job, which asks first; the admin's DM
 * gets Block Kit buttons; the gateway is stopped and started again while the turn waits; the
 * admin's click after the restart (a signed block_actions interaction) replaces the prompt with
 * the decision and finishes the turn with the tool's result.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../../../test/fakes/anthropic-messages";
import { serveFake } from "../../../test/fakes/http-fake-server";
import { removeState, setupAdmin, startGateway, waitFor, type GatewayProcess } from "../../../test/support/gateway-process";
import { createSlackFake } from "./fake-web-api";
import messageIm from "./fixtures/message-im.json";

const PORT = 9901;
const KEY = "sk-ant-e2e-slack-approvals-8e2d";
const BOT_TOKEN = "xoxb-e2e-approvals-fake";
const SIGNING_SECRET = "e2e-slack-approvals-signing-secret-01";
const ADMIN = { id: "UADMIN4242", name: "ada" };
const JOB = { name: "Standup", cron: "0 9 * * 1-5", prompt: "Remind me of the standup" };

describe("tool approvals on Slack, end to end", () => {
  const slack = createSlackFake({ botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET });
  let anthropic: FakeAnthropic;
  let server: Awaited<ReturnType<typeof serveFake>>;
  let gw: GatewayProcess;
  const env = () => ({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: anthropic.url, AGENT_RETRY_BASE_MS: "50" });
  beforeAll(async () => {
    anthropic = await startFakeAnthropic({ apiKey: KEY });
    server = await serveFake(slack.handle);
    gw = await startGateway({ port: PORT, env: env() });
  });
  afterAll(async () => {
    await gw?.stop();
    await server?.close();
    await anthropic?.close();
    if (gw) removeState(gw.stateDir);
  });

  it("waits across a gateway restart; the admin's click after it runs the tool and finishes the turn", async () => {
    const { api } = await setupAdmin(gw);
    const created = await api<{ channel: { id: string; inboundUrl: string } }>("POST", "/api/channels", {
      type: "slack",
      name: "Slack approvals",
      policy: "open",
      config: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiBase: `${server.url}/api` },
      agent: { tools: ["schedule_job"], approvals: { askFirst: ["schedule_job"], adminSenderId: ADMIN.id } },
    });
    expect(created.status).toBe(201);
    const url = created.body.channel.inboundUrl;

    anthropic.enqueue({ kind: "tool_use", name: "schedule_job", input: JOB }, { kind: "text", text: "Scheduled for weekdays at 9." });
    const dm = structuredClone(messageIm);
    dm.event.text = "Remind me of the standup every weekday";
    expect((await slack.deliver(url, dm)).status).toBe(200);
    await waitFor(async () => slack.state.posted.some((m) => m.channel === ADMIN.id), 30_000, "the approval prompt");
    const prompt = slack.state.posted.find((m) => m.channel === ADMIN.id)!;
    expect(prompt.text).toContain("schedule_job");

    await gw.stop();
    gw = await startGateway({ port: PORT, stateDir: gw.stateDir, env: env() });

    expect((await slack.click(url, prompt.ts, "approval_approve", ADMIN)).status).toBe(200);
    expect(slack.shownText(prompt.ts)).toMatch(/:white_check_mark: Approved by <@UADMIN4242>$/);
    await waitFor(async () => slack.state.posted.some((m) => m.channel === dm.event.channel), 30_000, "the answer");
    expect(slack.state.posted.find((m) => m.channel === dm.event.channel)!.text).toContain("Scheduled for weekdays at 9.");
    const jobs = await api<{ jobs: { name: string }[] }>("GET", "/api/jobs");
    expect(jobs.body.jobs).toContainEqual(expect.objectContaining({ name: JOB.name }));
  });
});
