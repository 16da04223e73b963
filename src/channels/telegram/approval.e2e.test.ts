/**
 * A tool approval end to end on Telegram: `npm start` with the real SDK pointed at the fake
 * Messages API and grammY at the fake Bot API. The model calls schedule_job, which asks first:
 * the admin gets Approve/Deny buttons, the gateway is stopped and started again while the turn
 * waits, and the admin's press after the restart resumes the same turn (the job is created, the
 * model sees its result, the sender gets the answer). A denial never runs the tool, and a press
 * by anyone else changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../../../test/fakes/anthropic-messages";
import { serveFake } from "../../../test/fakes/http-fake-server";
import { apiClient, removeState, setupAdmin, startGateway, waitFor, type GatewayProcess } from "../../../test/support/gateway-process";
import { createTelegramFake, type SentMessage } from "./fake-bot-api";
import textPrivate from "./fixtures/text-private.json";

const PORT = 9900;
const KEY = "sk-ant-e2e-approvals-5c1f";
const TOKEN = "444555666:AAApprovalE2eTokenForLoopgateTests";
const ADMIN = { id: 4242, first_name: "Ada" };
const JOB = { name: "Weather", cron: "0 8 * * *", prompt: "Tell me the weather in Porto" };

type Block = { type: string; content?: string; is_error?: boolean };
type Message = { role: string; content: Block[] | string };

describe("tool approvals on Telegram, end to end", () => {
  const telegram = createTelegramFake({ token: TOKEN });
  let anthropic: FakeAnthropic;
  let server: Awaited<ReturnType<typeof serveFake>>;
  let gw: GatewayProcess;
  /** The admin's API client; its session is in D1, so it outlives the restart. */
  let api: ReturnType<typeof apiClient>;
  const env = () => ({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: anthropic.url, AGENT_RETRY_BASE_MS: "50" });
  beforeAll(async () => {
    anthropic = await startFakeAnthropic({ apiKey: KEY });
    server = await serveFake(telegram.handle);
    gw = await startGateway({ port: PORT, env: env() });
    ({ api } = await setupAdmin(gw));
  });
  afterAll(async () => {
    await gw?.stop();
    await server?.close();
    await anthropic?.close();
    if (gw) removeState(gw.stateDir);
  });

  let nextId = 7000;
  const say = async (senderId: number, text: string) => {
    const update = structuredClone(textPrivate);
    update.update_id = nextId;
    update.message.message_id = nextId++;
    update.message.text = text;
    update.message.chat.id = senderId;
    update.message.from.id = senderId;
    expect((await telegram.deliver(update)).status).toBe(200);
  };
  const promptFor = async (count: number): Promise<SentMessage> => {
    await waitFor(async () => telegram.state.sent.filter((m) => m.chat_id === String(ADMIN.id)).length >= count, 30_000, `approval prompt ${count}`);
    return telegram.state.sent.filter((m) => m.chat_id === String(ADMIN.id))[count - 1]!;
  };
  const replyTo = async (senderId: number): Promise<SentMessage> => {
    await waitFor(async () => telegram.state.sent.some((m) => m.chat_id === String(senderId)), 30_000, `the reply to ${senderId}`);
    return telegram.state.sent.find((m) => m.chat_id === String(senderId))!;
  };
  const buttons = (prompt: SentMessage) => prompt.reply_markup!.inline_keyboard[0]!.map((b) => b.callback_data!);
  const toolResult = () => {
    const messages = anthropic.answered().at(-1)!.body.messages as Message[];
    return (messages.at(-1)!.content as Block[])[0]!;
  };

  it("waits across a gateway restart; the admin's approval after it runs the tool and finishes the turn", async () => {
    const created = await api<{ channel: { id: string } }>("POST", "/api/channels", {
      type: "telegram",
      name: "Approvals",
      policy: "open",
      config: { botToken: TOKEN, apiBase: server.url },
      agent: { tools: ["schedule_job", "current_time"], approvals: { askFirst: ["schedule_job"], adminSenderId: String(ADMIN.id) } },
    });
    expect(created.status).toBe(201);
    expect((await api<{ ok: boolean }>("POST", `/api/channels/${created.body.channel.id}/setup`, {})).body.ok).toBe(true);

    anthropic.enqueue({ kind: "tool_use", name: "schedule_job", input: JOB }, { kind: "text", text: "Done: every morning at 8." });
    const sender = 5101;
    await say(sender, "Send me the weather every morning");
    const prompt = await promptFor(1);
    expect(prompt.text).toContain("schedule_job");
    const [approve] = buttons(prompt);
    expect(telegram.state.sent.filter((m) => m.chat_id === String(sender))).toEqual([]);
    expect(anthropic.answered()).toHaveLength(1);

    // A press by the sender (not the approver) is refused, and the turn keeps waiting.
    expect((await telegram.pressButton(prompt.message_id, approve!, { id: sender, first_name: "Sam" })).status).toBe(200);
    expect(telegram.state.callbackAnswers.at(-1)).toMatchObject({ text: "Only the approver can decide this." });

    await gw.stop();
    gw = await startGateway({ port: PORT, stateDir: gw.stateDir, env: env() });

    const pending = await api<{ approvals: { id: string }[] }>("GET", "/api/approvals");
    expect(pending.body.approvals.map((a) => a.id)).toEqual([approve!.split(":")[1]]);
    expect((await telegram.pressButton(prompt.message_id, approve!, ADMIN)).status).toBe(200);
    expect(telegram.state.callbackAnswers.at(-1)).toMatchObject({ text: "Approved" });
    expect(telegram.state.edits.at(-1)?.text).toMatch(/✅ Approved by Ada$/);

    expect((await replyTo(sender)).text).toContain("Done: every morning at 8.");
    expect(anthropic.answered()).toHaveLength(2);
    expect(JSON.parse(toolResult().content!)).toMatchObject({ scheduled: expect.stringMatching(/^job_/) });
    const jobs = await api<{ jobs: { name: string; cron: string }[] }>("GET", "/api/jobs");
    expect(jobs.body.jobs).toContainEqual(expect.objectContaining({ name: JOB.name, cron: JOB.cron }));
    expect((await api<{ approvals: unknown[] }>("GET", "/api/approvals")).body.approvals).toEqual([]);
  });

  it("a denial never runs the tool; the model is told the admin denied it", async () => {
    const jobsBefore = (await api<{ jobs: unknown[] }>("GET", "/api/jobs")).body.jobs.length;
    anthropic.enqueue({ kind: "tool_use", name: "schedule_job", input: { ...JOB, name: "Denied" } }, { kind: "text", text: "Understood, I will not." });
    const sender = 5102;
    await say(sender, "Schedule another one");
    const prompt = await promptFor(2);
    const [, deny] = buttons(prompt);
    expect((await telegram.pressButton(prompt.message_id, deny!, ADMIN)).status).toBe(200);
    expect(telegram.state.callbackAnswers.at(-1)).toMatchObject({ text: "Denied" });
    expect((await replyTo(sender)).text).toContain("Understood, I will not.");
    expect(toolResult()).toMatchObject({ is_error: true, content: "denied by the admin; the call did not run" });
    expect((await api<{ jobs: unknown[] }>("GET", "/api/jobs")).body.jobs).toHaveLength(jobsBefore);
  });
});
