/**
 * Tool approvals on Slack through the whole Worker: the prompt goes to the admin's DM with Block
 * Kit Approve/Deny buttons; clicks arrive as signed block_actions interactions at the channel's
 * Request URL; a bad signature is refused with 401; the approver's click replaces the prompt with
 * the decision (chat.update) and resumes the turn; anyone else's click is told ephemerally and
 * recorded. The model is scripted (test/fakes/pausing-runtime.ts).
 */
import { SELF } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { conversationAgent } from "../../agent/runtime";
import { pausingRuntime } from "../../../test/fakes/pausing-runtime";
import { adminToken, call, eventually, routeFetchTo } from "../../../test/worker/helpers";
import { createSlackFake, signSlack } from "./fake-web-api";
import blockActions from "./fixtures/block-actions.json";
import messageIm from "./fixtures/message-im.json";

const API_BASE = "https://slack.fake/api";
const ADMIN = { id: "UADMIN0001", name: "ada" };
let admin: string;
beforeAll(async () => {
  admin = await adminToken();
});
afterEach(() => vi.restoreAllMocks());

async function slackChannel() {
  const botToken = `xoxb-${crypto.randomUUID()}`;
  const signingSecret = `signing-${crypto.randomUUID()}`;
  const fake = createSlackFake({ botToken, signingSecret, deliverFetch: (url, init) => SELF.fetch(url, init) });
  routeFetchTo(`${API_BASE}/`, fake.handle);
  const created = await call<{ channel: { id: string; inboundUrl: string } }>(
    "POST",
    "/api/channels",
    {
      type: "slack",
      name: "slack",
      policy: "open",
      config: { botToken, signingSecret, apiBase: API_BASE },
      agent: { approvals: { askFirst: ["schedule_job"], adminSenderId: ADMIN.id } },
    },
    admin,
  );
  expect(created.status).toBe(201);
  return { fake, signingSecret, id: created.body.channel.id, url: created.body.channel.inboundUrl };
}

function dm(user: string, text: string) {
  const payload = structuredClone(messageIm);
  payload.event_id = `Ev${crypto.randomUUID().slice(0, 10)}`;
  payload.event.user = user;
  payload.event.text = text;
  return payload;
}

describe("tool approvals on Slack", () => {
  it("prompts the admin with buttons; a stranger's click is refused, the admin's decides and replaces the prompt", async () => {
    vi.spyOn(conversationAgent, "runtime").mockReturnValue(pausingRuntime());
    const { fake, signingSecret, id, url } = await slackChannel();
    const sender = `U${crypto.randomUUID().slice(0, 8).toUpperCase()}`;
    expect((await fake.deliver(url, dm(sender, "weather every morning"))).status).toBe(200);

    const prompt = await eventually(async () => fake.state.posted.find((m) => m.channel === ADMIN.id));
    expect(prompt.text).toContain("schedule_job");
    const buttons = prompt.blocks?.find((b) => b.type === "actions")?.elements ?? [];
    expect(buttons.map((b) => b.action_id)).toEqual(["approval_approve", "approval_deny"]);
    const approvalId = buttons[0]!.value!;

    // Signed with another secret: refused before anything is read.
    const forged = new URLSearchParams({ payload: JSON.stringify({ ...blockActions, user: { id: ADMIN.id, name: "ada" } }) }).toString();
    const ts = String(Math.floor(Date.now() / 1000));
    const bad = await SELF.fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": ts,
        "x-slack-signature": await signSlack(`${signingSecret}x`, ts, forged),
      },
      body: forged,
    });
    expect(bad.status).toBe(401);

    const stranger = await fake.click(url, prompt.ts, "approval_approve", { id: sender, name: "sam" });
    expect(stranger.status).toBe(200);
    expect(fake.state.ephemeral.at(-1)).toEqual({ channel: ADMIN.id, user: sender, text: "Only the approver can decide this." });
    const refused = (
      await call<{ events: { detail: Record<string, unknown> }[] }>("GET", `/api/events?channelId=${id}&kind=approval.refused`, undefined, admin)
    ).body.events;
    expect(refused).toEqual([expect.objectContaining({ detail: expect.objectContaining({ approvalId, by: sender, via: "slack" }) })]);

    const decided = await fake.click(url, prompt.ts, "approval_approve", ADMIN);
    expect(decided.status).toBe(200);
    expect(fake.shownText(prompt.ts)).toMatch(/:white_check_mark: Approved by <@UADMIN0001>$/);
    expect(prompt.blocks?.some((b) => b.type === "actions")).toBe(false);
    const reply = await eventually(async () => fake.state.posted.find((m) => m.channel === messageIm.event.channel && m.text.includes("decision")));
    expect(reply.text).toContain("decision: approved by admin");

    // The buttons are gone from the prompt, but a client may still show them: a second click changes nothing.
    prompt.blocks = [{ type: "actions", elements: buttons }];
    await fake.click(url, prompt.ts, "approval_deny", ADMIN);
    expect(fake.state.ephemeral.at(-1)).toMatchObject({ user: ADMIN.id, text: "This approval was already decided: approved." });
  });

  it("ignores other interactions with an empty 200, and refuses a malformed block_actions payload", async () => {
    const { signingSecret, url } = await slackChannel();
    const post = async (payload: string) => {
      const body = new URLSearchParams({ payload }).toString();
      const ts = String(Math.floor(Date.now() / 1000));
      return SELF.fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-slack-request-timestamp": ts,
          "x-slack-signature": await signSlack(signingSecret, ts, body),
        },
        body,
      });
    };
    expect((await post(JSON.stringify({ type: "view_closed" }))).status).toBe(200);
    expect((await post(JSON.stringify({ ...blockActions, actions: [{ ...blockActions.actions[0], action_id: "someone_elses_button" }] }))).status).toBe(200);
    expect((await post(JSON.stringify({ ...blockActions, actions: "approve" }))).status).toBe(400);
    expect((await post("{not json")).status).toBe(400);
  });
});
