/**
 * The gateway as a user runs it: `npm start` as a process, a real HTTP client signing webhook
 * calls, a real callback receiver; restarts with the same state lose nothing.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, removeState, setupAdmin, startGateway, waitFor, type GatewayProcess } from "../support/gateway-process";
import { startReceiver } from "../support/http-receiver";
import { postWebhook } from "../support/signed-webhook";

const PORT = 8701;
const env = { DELIVERY_RETRY_BASE_MS: "1000" };
let gw: GatewayProcess;
let api: ReturnType<typeof apiClient>;
let stateDir: string;
let failing = 0;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let channel: { id: string; inboundUrl: string };
const SECRET = "e2e-signing-secret-0123456789";

beforeAll(async () => {
  receiver = await startReceiver((_req, res) => {
    if (failing > 0) {
      failing--;
      res.writeHead(503).end("down");
    } else res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  gw = await startGateway({ port: PORT, env });
  stateDir = gw.stateDir;
  ({ api } = await setupAdmin(gw));
  const created = await api<{ channel: { id: string; inboundUrl: string } }>("POST", "/api/channels", {
    type: "webhook",
    name: "e2e",
    policy: "open",
    config: { secret: SECRET, callbackUrl: `${receiver.url}/replies` },
  });
  expect(created.status).toBe(201);
  channel = created.body.channel;
});

afterAll(async () => {
  await gw?.stop();
  await receiver?.close();
  if (stateDir) removeState(stateDir);
});

const repliesFor = (recipient: string) => receiver.received.filter((r) => r.method === "POST" && JSON.parse(r.body).recipient === recipient);

describe("npm start, end to end", () => {
  it("prints the local URL and, when none is configured, how to set up", async () => {
    expect(gw.output()).toContain(`Loopgate is running at http://localhost:${PORT}`);
    const health = await apiClient(gw.url)<{ status: string }>("GET", "/api/health");
    expect(health.body).toEqual({ status: "ok" });
    const details = await api<{ status: string; version: string }>("GET", "/api/health/details");
    expect(details.body).toMatchObject({ status: "ok", version: expect.any(String) });
  });

  it("login and logout", async () => {
    const anon = apiClient(gw.url);
    const login = await anon<{ token: string }>("POST", "/api/auth/login", { username: "admin", password: "correct horse battery staple" });
    expect(login.status).toBe(200);
    const me = apiClient(gw.url, login.body.token);
    expect((await me("GET", "/api/channels")).status).toBe(200);
    expect((await me("POST", "/api/auth/logout")).status).toBe(200);
    expect((await me("GET", "/api/channels")).status).toBe(401);
  });

  it("answers a signed webhook with a signed callback, after the receiver failed twice", async () => {
    failing = 2;
    const res = await postWebhook(channel.inboundUrl, SECRET, { messageId: "e2e-1", sender: { id: "u1", name: "User One" }, text: "hello gateway" });
    expect(res.status).toBe(200);
    await waitFor(async () => repliesFor("u1").length === 3, 20_000, "three delivery attempts");
    const delivered = repliesFor("u1")[2]!;
    const body = JSON.parse(delivered.body);
    expect(body).toMatchObject({ channelId: channel.id, recipient: "u1", text: expect.stringContaining("hello gateway"), inReplyTo: "e2e-1" });
    const ts = String(delivered.headers["x-loopgate-timestamp"]);
    expect(delivered.headers["x-loopgate-signature"]).toBe(`sha256=${createHmac("sha256", SECRET).update(`${ts}.${delivered.body}`).digest("hex")}`);
    const runs = await api<{ runs: { deliveryStatus: string; deliveryAttempts: number }[] }>("GET", `/api/runs?channelId=${channel.id}`);
    expect(runs.body.runs[0]).toMatchObject({ deliveryStatus: "sent", deliveryAttempts: 3 });
  });

  it("rejects a bad signature with 401 and stores nothing", async () => {
    const res = await postWebhook(channel.inboundUrl, "not-the-secret-at-all", { messageId: "e2e-bad", sender: { id: "u9" }, text: "forged" });
    expect(res.status).toBe(401);
    const msgs = await api<{ messages: unknown[] }>("GET", `/api/messages?channelId=${channel.id}&senderId=u9`);
    expect(msgs.body.messages).toHaveLength(0);
  });

  it("loses nothing across a restart: a reply pending when the gateway stops is delivered after it starts", async () => {
    failing = 1_000;
    const res = await postWebhook(channel.inboundUrl, SECRET, { messageId: "e2e-restart", sender: { id: "u2" }, text: "survive a restart" });
    expect(res.status).toBe(200);
    await waitFor(async () => repliesFor("u2").length >= 1, 20_000, "the first (failed) delivery attempt");
    await gw.stop();
    failing = 0;
    const restartedAt = Date.now();
    gw = await startGateway({ port: PORT, stateDir, env });
    await waitFor(async () => repliesFor("u2").some((r) => r.at > restartedAt), 60_000, "delivery after restart");
    const bodies = repliesFor("u2").map((r) => JSON.parse(r.body).text as string);
    expect(bodies.every((t) => t.includes("survive a restart"))).toBe(true);
    // Data persisted: the admin, the channel and the history survive too.
    const login = await apiClient(gw.url)<{ token: string }>("POST", "/api/auth/login", { username: "admin", password: "correct horse battery staple" });
    api = apiClient(gw.url, login.body.token);
    const channels = await api<{ channels: { id: string }[] }>("GET", "/api/channels");
    expect(channels.body.channels.map((c) => c.id)).toContain(channel.id);
    // The run is marked sent once the delivery's D1 batch lands, a moment after the receiver saw it.
    let runs = await api<{ runs: { messageId: string; deliveryStatus: string }[] }>("GET", `/api/runs?channelId=${channel.id}`);
    await waitFor(
      async () => {
        runs = await api<{ runs: { messageId: string; deliveryStatus: string }[] }>("GET", `/api/runs?channelId=${channel.id}`);
        return !runs.body.runs.some((r) => r.deliveryStatus === "pending");
      },
      10_000,
      "the run marked delivered",
    );
    expect(runs.body.runs.find((r) => r.deliveryStatus !== "sent")).toBeUndefined();
  });
});
