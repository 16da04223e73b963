/**
 * The gateway's promise under faults, end to end: `npm start` built with the D1 fault hook
 * (LOOPGATE_TEST_FAULTS=1, docs/reliability.md), the real SDK against the fake Messages API, a
 * generic webhook channel replying to a receiver that can be taken down. D1 writes fail (at once,
 * after a timeout, or after landing), the model answers 429/500/529 storms and hangs, the
 * platform is down for a while and for good, and workerd is killed in the middle of a turn.
 * Every case ends with each acknowledged message answered exactly once, or its run marked
 * failed where the API and dashboard show it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic, type Scripted } from "../../fakes/anthropic-messages";
import { apiClient, removeState, setupAdmin, startGateway, waitFor, type GatewayProcess } from "../../support/gateway-process";
import { startReceiver } from "../../support/http-receiver";
import { postWebhook } from "../../support/signed-webhook";

const PORT = 10001;
const KEY = "sk-ant-faults-7d2a";
const SECRET = "faults-signing-secret-0123456789";

interface Run {
  messageId: string;
  senderId: string;
  status: string;
  error: string | null;
  deliveryStatus: string;
  deliveryAttempts: number;
}
interface Message {
  senderId: string;
  direction: string;
  platformMessageId: string | null;
  text: string;
  outcome: string;
}
type Json = Record<string, unknown>;
interface FaultState {
  injected: Record<string, number>;
  writesSeen: number;
}

/** The text of the newest user turn of a model request (what the sender just said). */
function lastUserText(body: Json): string {
  const messages = (body.messages as { role: string; content: unknown }[] | undefined) ?? [];
  const last = [...messages].reverse().find((m) => m.role === "user");
  return JSON.stringify(last?.content ?? "");
}

describe("faults: D1, the model, the platform, a crash", () => {
  let fake: FakeAnthropic;
  let gw: GatewayProcess;
  let api: ReturnType<typeof apiClient>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let channelId: string;
  let inboundUrl: string;
  /** Model answers queued per marker in the sender's text, taken one per request; then the default answer. */
  const modelScript = new Map<string, Scripted[]>();
  /** Recipients whose platform is down (503 with Retry-After) until the given time. */
  const downUntil = new Map<string, number>();
  const env = {
    LOOPGATE_TEST_FAULTS: "1",
    ANTHROPIC_API_KEY: KEY,
    AGENT_RETRY_BASE_MS: "50",
    AGENT_TIMEOUT_MS: "2000",
    DELIVERY_RETRY_BASE_MS: "400",
    DELIVERY_MAX_ATTEMPTS: "5",
    API_RATE_LIMIT_PER_MINUTE: "100000",
  };

  const start = async (stateDir?: string) => {
    gw = await startGateway({ port: PORT, stateDir, env: { ...env, ANTHROPIC_BASE_URL: fake.url } });
  };
  const faults = async (plan?: { writes: number; mode: string; delayMs?: number; table?: string }) => {
    const res = await fetch(
      `${gw.url}/api/__faults`,
      plan ? { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(plan) } : {},
    );
    expect(res.status).toBe(200);
    return (await res.json()) as FaultState;
  };
  const send = async (sender: string, messageId: string, text: string) => {
    const res = await postWebhook(inboundUrl, SECRET, { messageId, sender: { id: sender }, text });
    expect(res.status, "the webhook is acknowledged").toBe(200);
  };
  const repliesTo = (messageId: string) =>
    receiver.received.filter((r) => r.method === "POST" && r.at > 0 && (JSON.parse(r.body) as { inReplyTo?: string }).inReplyTo === messageId);
  /** Distinct deliveries the receiver accepted (200) for a message: what its user saw. */
  const accepted = new Map<string, string[]>();
  const seenBy = (messageId: string) => accepted.get(messageId) ?? [];
  const runsOf = async (sender: string) =>
    (await api<{ runs: Run[] }>("GET", `/api/runs?channelId=${channelId}&limit=200`)).body.runs.filter((r) => r.senderId === sender);
  const messagesOf = async (sender: string) =>
    (await api<{ messages: Message[] }>("GET", `/api/messages?channelId=${channelId}&senderId=${encodeURIComponent(sender)}&limit=200`)).body.messages;
  /** One inbound record per message and every run settled as expected: the D1 side of "exactly once". */
  const expectRecorded = async (sender: string, messageIds: string[], deliveryStatus: "sent" | "failed" = "sent") => {
    await waitFor(
      async () => {
        const runs = await runsOf(sender);
        return runs.length === messageIds.length && runs.every((r) => r.deliveryStatus === deliveryStatus);
      },
      60_000,
      `${messageIds.length} runs of ${sender} recorded as ${deliveryStatus}`,
    );
    const inbound = (await messagesOf(sender)).filter((m) => m.direction === "in");
    expect(inbound.map((m) => m.platformMessageId).sort()).toEqual([...messageIds].sort());
    return runsOf(sender);
  };

  beforeAll(async () => {
    fake = await startFakeAnthropic({
      apiKey: KEY,
      respond: (body) => {
        const said = lastUserText(body);
        for (const [marker, queue] of modelScript) if (said.includes(marker) && queue.length > 0) return queue.shift();
        return undefined;
      },
    });
    receiver = await startReceiver((req, res) => {
      const reply = JSON.parse(req.body) as { recipient: string; inReplyTo: string };
      if ((downUntil.get(reply.recipient) ?? 0) > Date.now()) {
        res.writeHead(503, { "retry-after": "1" }).end("down for maintenance");
        return;
      }
      const delivery = String(req.headers["x-loopgate-delivery"]);
      const list = accepted.get(reply.inReplyTo) ?? [];
      if (!list.includes(delivery)) list.push(delivery);
      accepted.set(reply.inReplyTo, list);
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    await start();
    ({ api } = await setupAdmin(gw));
    const created = await api<{ channel: { id: string; inboundUrl: string } }>("POST", "/api/channels", {
      type: "webhook",
      name: "faults",
      policy: "open",
      rateLimitPerMinute: 1000,
      config: { secret: SECRET, callbackUrl: `${receiver.url}/replies` },
    });
    expect(created.status).toBe(201);
    ({ id: channelId, inboundUrl } = created.body.channel);
  });

  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await receiver?.close();
    if (gw) removeState(gw.stateDir);
  });

  it("D1 writes that fail at once, time out, or land but lose their answer: one reply and one record per message", async () => {
    const cases = [
      { mode: "error", table: "messages" },
      { mode: "timeout", table: "runs", delayMs: 1500 },
      { mode: "lost-ack", table: "events" },
    ] as const;
    for (const c of cases) {
      const before = await faults();
      await faults({ writes: 3, mode: c.mode, delayMs: "delayMs" in c ? c.delayMs : 0, table: c.table });
      const sender = `d1-${c.mode}`;
      const ids = [`${sender}-1`, `${sender}-2`];
      for (const id of ids) await send(sender, id, `d1 fault ${id}`);
      await waitFor(async () => (await faults()).injected[c.mode] === before.injected[c.mode]! + 3, 60_000, `three ${c.mode} faults injected`);
      await waitFor(async () => ids.every((id) => seenBy(id).length > 0), 60_000, `replies to ${sender}`);
      const runs = await expectRecorded(sender, ids);
      for (const id of ids) expect(seenBy(id), `deliveries of ${id}`).toHaveLength(1);
      expect(runs.every((r) => r.status === "ok" && r.deliveryAttempts === 1)).toBe(true);
    }
  });

  it("a D1 outage: messages taken during it are answered and recorded once D1 is back", async () => {
    const before = (await faults()).injected.error!;
    await faults({ writes: 1_000_000, mode: "error" });
    const ids = ["outage-1", "outage-2", "outage-3"];
    for (const id of ids) await send("d1-outage", id, `during the outage ${id}`);
    // Replies do not wait for bookkeeping: they go out while every D1 write fails.
    await waitFor(async () => ids.every((id) => seenBy(id).length > 0), 60_000, "replies during the outage");
    await waitFor(async () => (await faults()).injected.error! >= before + 3, 30_000, "the records failing to land");
    expect(await runsOf("d1-outage")).toHaveLength(0);
    await faults({ writes: 0, mode: "error" });
    await expectRecorded("d1-outage", ids);
    for (const id of ids) expect(seenBy(id)).toHaveLength(1);
  });

  it("model 429/500/529 storms and a hanging model: retried to one answer, or one failure notice and a failed run", async () => {
    modelScript.set("storm-recovers", [
      { kind: "error", status: 429, retryAfter: 1 },
      { kind: "error", status: 500 },
      { kind: "error", status: 529 },
    ]);
    modelScript.set("storm-lasts", [
      { kind: "error", status: 529 },
      { kind: "error", status: 529 },
      { kind: "error", status: 500 },
      { kind: "error", status: 529 },
    ]);
    modelScript.set("model-hangs", [{ kind: "hang" }]);
    await send("model-a", "storm-1", "storm-recovers please");
    await send("model-b", "storm-2", "storm-lasts please");
    await send("model-c", "hang-1", "model-hangs please");
    await waitFor(async () => ["storm-1", "storm-2", "hang-1"].every((id) => seenBy(id).length > 0), 60_000, "an answer to each");
    const text = (id: string) => (JSON.parse(repliesTo(id).at(-1)!.body) as { text: string }).text;
    expect(text("storm-1")).toContain('you said "storm-recovers please"');
    expect(text("hang-1")).toContain('you said "model-hangs please"');
    expect(text("storm-2")).toMatch(/overloaded/i);
    const [recovered] = await expectRecorded("model-a", ["storm-1"]);
    const [failed] = await expectRecorded("model-b", ["storm-2"]);
    const [hung] = await expectRecorded("model-c", ["hang-1"]);
    expect(recovered).toMatchObject({ status: "ok" });
    expect(hung).toMatchObject({ status: "ok" });
    expect(failed).toMatchObject({ status: "failed", error: expect.stringMatching(/529|overloaded/i) });
    for (const id of ["storm-1", "storm-2", "hang-1"]) expect(seenBy(id), id).toHaveLength(1);
    expect(fake.requests.filter((r) => lastUserText(r.body).includes("storm-recovers"))).toHaveLength(4);
    expect(fake.requests.filter((r) => lastUserText(r.body).includes("storm-lasts"))).toHaveLength(4);
  });

  it("the platform down for a while then back: every reply once, in order; down for good: the run shows the failure", async () => {
    downUntil.set("platform-flaky", Date.now() + 3000);
    const ids = ["flaky-1", "flaky-2", "flaky-3"];
    for (const id of ids) await send("platform-flaky", id, `while it is down ${id}`);
    downUntil.set("platform-gone", Date.now() + 3_600_000);
    await send("platform-gone", "gone-1", "nobody will hear this");
    await waitFor(async () => ids.every((id) => seenBy(id).length > 0), 60_000, "replies once the platform is back");
    for (const id of ids) expect(seenBy(id)).toHaveLength(1);
    const order = receiver.received
      .filter((r) => (downUntil.get("platform-flaky") ?? 0) <= r.at && JSON.parse(r.body).recipient === "platform-flaky")
      .map((r) => JSON.parse(r.body).inReplyTo as string);
    expect([...new Set(order)]).toEqual(ids);
    await expectRecorded("platform-flaky", ids);
    const [gone] = await expectRecorded("platform-gone", ["gone-1"], "failed");
    expect(gone!.deliveryAttempts).toBe(5);
    const attempts = repliesTo("gone-1");
    expect(attempts).toHaveLength(5);
    expect(new Set(attempts.map((a) => a.headers["x-loopgate-delivery"])).size).toBe(1);
  });

  it("workerd killed in the middle of a turn: after the restart the message is answered once", async () => {
    // Every attempt hangs until the crash, so no answer can slip out before it.
    modelScript.set(
      "crash-mid-turn",
      Array.from({ length: 8 }, (): Scripted => ({ kind: "hang" })),
    );
    await send("crash", "crash-1", "crash-mid-turn now");
    await waitFor(async () => fake.requests.some((r) => lastUserText(r.body).includes("crash-mid-turn")), 30_000, "the turn calling the model");
    await gw.kill();
    expect(seenBy("crash-1")).toHaveLength(0);
    // After the restart the model answers.
    modelScript.set("crash-mid-turn", []);
    await start(gw.stateDir);
    await waitFor(async () => seenBy("crash-1").length > 0, 90_000, "the reply after the restart");
    const login = await apiClient(gw.url)<{ token: string }>("POST", "/api/auth/login", { username: "admin", password: "correct horse battery staple" });
    api = apiClient(gw.url, login.body.token);
    await expectRecorded("crash", ["crash-1"]);
    expect(seenBy("crash-1")).toHaveLength(1);
    expect(repliesTo("crash-1")).toHaveLength(1);
    expect(fake.requests.filter((r) => lastUserText(r.body).includes("crash-mid-turn")).length).toBeGreaterThanOrEqual(2);
  }, 240_000);
});
