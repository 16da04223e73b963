/**
 * A channel's status before its platform has been heard from (src/api/channel-status.ts): a
 * Slack channel, whose Request URL is pasted into Slack by hand, reads `awaiting_event` with
 * what to do, stays so when setup only checked its token, says what failed when setup did, and
 * turns ok with the first verified request (here Slack's url_verification challenge), not with a
 * forged one. A signed webhook channel likewise waits for its first signed POST. A bridged
 * channel reads `waiting_for_bridge` until its bridge reports, and setup does not overwrite
 * the bridge's view.
 */
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createSlackFake } from "../../src/channels/slack/fake-web-api";
import urlVerification from "../../src/channels/slack/fixtures/url-verification.json";
import { adminToken, call, connectFakeBridge, createWebhookChannel, eventually, message, routeFetchTo, signedPost } from "./helpers";

const API_BASE = "https://slack-status.fake/api";
let admin: string;
beforeAll(async () => {
  admin = await adminToken();
});

type Channel = { id: string; status: string; lastError: string | null; statusDetail: string | null };
const channelOf = async (id: string) => (await call<{ channel: Channel }>("GET", `/api/channels/${id}`, undefined, admin)).body.channel;

describe("a channel whose platform-side step is done by hand", () => {
  it("waits for Slack's first event through setup, a failed setup and an edit, and is ok once Slack's signed challenge arrives", async () => {
    const botToken = `xoxb-${crypto.randomUUID()}`;
    const signingSecret = `signing-${crypto.randomUUID()}`;
    const fake = createSlackFake({ botToken, signingSecret, deliverFetch: (url, init) => SELF.fetch(url, init) });
    routeFetchTo(`${API_BASE}/`, fake.handle);
    const created = await call<{ channel: Channel & { inboundUrl: string } }>(
      "POST",
      "/api/channels",
      { type: "slack", name: "Team Slack", policy: "open", config: { botToken, signingSecret, apiBase: API_BASE } },
      admin,
    );
    expect(created.status).toBe(201);
    const { id, inboundUrl } = created.body.channel;
    expect(created.body.channel).toMatchObject({ status: "awaiting_event", lastError: null });
    expect(created.body.channel.statusDetail).toMatch(/Nothing has arrived from slack yet.*POST \/api\/channels\/ch_\w+\/setup/);

    // Setup checked the token and listed the manual steps: Slack still sends nothing.
    const setup = await call<{ ok: boolean; steps: string[] }>("POST", `/api/channels/${id}/setup`, {}, admin);
    expect(setup.body.ok).toBe(true);
    expect(await channelOf(id)).toMatchObject({ status: "awaiting_event", lastError: null });

    // A token Slack refuses: the status says setup failed, and why.
    expect((await call("PUT", `/api/channels/${id}`, { config: { botToken: "xoxb-revoked", signingSecret, apiBase: API_BASE } }, admin)).status).toBe(200);
    const failed = await call<{ ok: boolean }>("POST", `/api/channels/${id}/setup`, {}, admin);
    expect(failed.body.ok).toBe(false);
    expect(await channelOf(id)).toMatchObject({ status: "error", lastError: expect.stringMatching(/Slack rejected the bot token/), statusDetail: null });
    // Saving clears the error, back to waiting (nothing has arrived yet), with what to do.
    expect((await call("PUT", `/api/channels/${id}`, { config: { botToken, signingSecret, apiBase: API_BASE } }, admin)).status).toBe(200);
    expect(await channelOf(id)).toMatchObject({ status: "awaiting_event", lastError: null, statusDetail: expect.stringContaining("Nothing has arrived") });

    // A request with a wrong signature proves nothing.
    const forged = createSlackFake({ botToken, signingSecret: "not-the-signing-secret", deliverFetch: (url, init) => SELF.fetch(url, init) });
    expect((await forged.deliver(inboundUrl, urlVerification)).status).toBe(401);
    expect((await channelOf(id)).status).toBe("awaiting_event");
    // Slack's signed challenge, sent when the Request URL is pasted in: the manual step is done.
    expect((await fake.deliver(inboundUrl, urlVerification)).status).toBe(200);
    expect(await channelOf(id)).toMatchObject({ status: "ok", lastError: null, statusDetail: null });
    // From now on a successful setup leaves it ok.
    expect((await call<{ ok: boolean }>("POST", `/api/channels/${id}/setup`, {}, admin)).body.ok).toBe(true);
    expect((await channelOf(id)).status).toBe("ok");
  });

  it("waits for a signed webhook's first signed POST", async () => {
    const { id, url, secret } = await createWebhookChannel(admin);
    expect((await channelOf(id)).status).toBe("awaiting_event");
    expect((await signedPost(url, "wrong-secret-0123456789", message("u1", "hi"))).status).toBe(401);
    expect((await channelOf(id)).status).toBe("awaiting_event");
    expect((await signedPost(url, secret, message("u1", "hi"))).status).toBe(200);
    expect(await channelOf(id)).toMatchObject({ status: "ok", statusDetail: null });
  });
});

describe("a bridged channel", () => {
  it("waits for its bridge, which setup does not overwrite, and reads what the bridge reports", async () => {
    const bridge = await call<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: `status-${crypto.randomUUID().slice(0, 6)}` }, admin);
    const created = await call<{ channel: Channel }>(
      "POST",
      "/api/channels",
      { type: "irc", name: "IRC", policy: "open", config: { bridgeId: bridge.body.bridge.id, host: "irc.example.org", nick: "loopgate", channels: ["#x"] } },
      admin,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { id } = created.body.channel;
    expect(created.body.channel).toMatchObject({ status: "waiting_for_bridge", statusDetail: expect.stringContaining(bridge.body.bridge.id) });
    expect((await call<{ ok: boolean }>("POST", `/api/channels/${id}/setup`, {}, admin)).body.ok).toBe(true);
    expect((await channelOf(id)).status).toBe("waiting_for_bridge");

    const link = await connectFakeBridge(bridge.body.token);
    link.send({ t: "state", channelId: id, state: "connected" });
    await eventually(async () => (await channelOf(id)).status === "connected");
    // Setup reports its steps and leaves the bridge's view alone.
    expect((await call<{ ok: boolean }>("POST", `/api/channels/${id}/setup`, {}, admin)).body.ok).toBe(true);
    expect((await channelOf(id)).status).toBe("connected");
    link.ws.close();
  });
});
