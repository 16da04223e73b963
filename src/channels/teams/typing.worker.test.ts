/**
 * The Teams typing indicator through the whole Worker: shown when the activity arrives (without
 * holding up the answer to the Bot Framework) and renewed every three seconds while the agent's
 * turn runs, as the Activity protocol asks (typing shows for three seconds).
 */
import { env, SELF } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { conversationAgent } from "../../agent/runtime";
import { createTeamsFake } from "./fake-bot-framework";
import personal from "./fixtures/message-personal.json";
import { adminToken, call, eventually, routeFetchTo } from "../../../test/worker/helpers";

const APP_ID = "c9e8c047-2a74-40a2-b28a-b162d5f5327c";
let admin: string;
beforeAll(async () => {
  admin = await adminToken();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("Teams typing indicator", () => {
  it("is renewed while a long turn runs, and the reply follows", async () => {
    const base = `https://bf-${crypto.randomUUID().slice(0, 8)}.fake`;
    const appPassword = `secret-${crypto.randomUUID()}`;
    const fake = await createTeamsFake({ appId: APP_ID, appPassword, baseUrl: base, deliverFetch: (url, init) => SELF.fetch(url, init) });
    routeFetchTo(`${base}/`, fake.handle);
    const config = { appId: APP_ID, appPassword, openIdMetadataUrl: `${base}/v1/.well-known/openidconfiguration`, loginBase: base };
    const created = await call<{ channel: { inboundUrl: string } }>("POST", "/api/channels", { type: "teams", name: "teams", policy: "open", config }, admin);
    expect(created.status, JSON.stringify(created.body)).toBe(201);

    // A turn that lasts until the indicator has been renewed at least once after the turn's own first one.
    const typings = () => fake.state.typing.filter((c) => c === personal.conversation.id).length;
    const real = conversationAgent.runtime(env);
    vi.spyOn(conversationAgent, "runtime").mockReturnValue({
      ...real,
      runTurn: async (req) => {
        await eventually(async () => typings() >= 3, 10_000);
        return real.runTurn(req);
      },
    });

    const activity = structuredClone(personal);
    activity.id = String(Date.now());
    activity.from.aadObjectId = crypto.randomUUID();
    activity.text = "take your time";
    expect((await fake.deliver(created.body.channel.inboundUrl, activity)).status).toBe(200);
    const [posted] = await eventually(async () => fake.state.posted.length > 0 && fake.state.posted, 15_000);
    expect(posted!.activity.text).toContain("You said: take your time");
    expect(typings()).toBeGreaterThanOrEqual(3);
  });
});
