/**
 * Tool approvals on Discord through the whole Worker: the prompt is a DM to the admin with
 * Approve/Deny buttons (message components); clicks arrive as MESSAGE_COMPONENT interactions
 * signed with Ed25519 (a bad signature gets 401); the admin's click is answered with
 * UPDATE_MESSAGE (decision shown, buttons gone) and resumes the turn, which edits the sender's
 * deferred /ask response; anyone else's click gets an ephemeral note and is recorded. The model
 * is scripted (test/fakes/pausing-runtime.ts).
 */
import { SELF } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { conversationAgent } from "../../agent/runtime";
import { pausingRuntime } from "../../../test/fakes/pausing-runtime";
import { adminToken, call, eventually, routeFetchTo } from "../../../test/worker/helpers";
import { createDiscordFake } from "./fake-api";
import ask from "./fixtures/ask.json";

const API_BASE = "https://discord.fake/api/v10";
const APP_ID = "123456789012345678";
const ADMIN = { id: "987654321098765432", username: "ada" };
let admin: string;
beforeAll(async () => {
  admin = await adminToken();
});
afterEach(() => vi.restoreAllMocks());

describe("tool approvals on Discord", () => {
  it("asks the admin by DM with buttons; a stranger's click is refused, the admin's decides in the interaction response", async () => {
    vi.spyOn(conversationAgent, "runtime").mockReturnValue(pausingRuntime());
    const botToken = `bot-${crypto.randomUUID()}`;
    const fake = await createDiscordFake({ applicationId: APP_ID, botToken, deliverFetch: (url, init) => SELF.fetch(url, init) });
    routeFetchTo(`${API_BASE}/`, fake.handle);
    const created = await call<{ channel: { id: string; inboundUrl: string } }>(
      "POST",
      "/api/channels",
      {
        type: "discord",
        name: "discord",
        policy: "open",
        config: { applicationId: APP_ID, publicKey: fake.publicKey, botToken, apiBase: API_BASE },
        agent: { approvals: { askFirst: ["schedule_job"], adminSenderId: ADMIN.id } },
      },
      admin,
    );
    expect(created.status).toBe(201);
    const { id, inboundUrl: url } = created.body.channel;
    expect((await call<{ ok: boolean }>("POST", `/api/channels/${id}/setup`, {}, admin)).body.ok).toBe(true);

    const i = structuredClone(ask);
    i.id = String(BigInt(Date.now()) * 1000n + 7n);
    i.token = `token-${crypto.randomUUID()}`;
    i.member.user.id = String(Math.floor(Math.random() * 1e17));
    i.data.options[0]!.value = "weather every morning";
    expect((await fake.deliver(url, i)).status).toBe(200);

    const prompt = await eventually(async () => fake.state.messages.find((m) => m.kind === "dm" && m.channel_id === `dm-${ADMIN.id}`));
    expect(prompt.content).toContain("schedule_job");
    const [approve, deny] = prompt.components![0]!.components.map((b) => b.custom_id!);
    expect(approve).toMatch(/^apr:evt_[0-9a-z]+:y$/);

    await expect(fake.deliver(url, { id: "1", type: 3, token: "t", user: ADMIN, data: { custom_id: approve } }, { badSignature: true })).resolves.toMatchObject(
      {
        status: 401,
      },
    );

    const stranger = await fake.click(url, prompt.id, approve!, { id: i.member.user.id, username: "sam" });
    expect(stranger.body).toEqual({ type: 4, data: { content: "Only the approver can decide this.", flags: 64 } });
    const refused = (await call<{ events: unknown[] }>("GET", `/api/events?channelId=${id}&kind=approval.refused`, undefined, admin)).body.events;
    expect(refused).toHaveLength(1);

    const decided = await fake.click(url, prompt.id, deny!, ADMIN);
    expect(decided.body).toMatchObject({ type: 7, data: { components: [] } });
    expect(prompt.content).toMatch(new RegExp(`❌ Denied by <@${ADMIN.id}>$`));
    expect(prompt.components).toEqual([]);
    const reply = await eventually(async () => fake.state.messages.find((m) => m.kind === "original" && m.token === i.token));
    expect(reply.content).toContain("decision: denied by admin");
  });
});
