import { env, runDurableObjectAlarm } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { conversationAgent } from "../../src/agent/runtime";
import type { AgentRuntime } from "../../src/agent/types";
import { adminToken, call, createWebhookChannel, eventually, fakeCallbacks, message, signedPost } from "./helpers";

let token: string;
let callbacks: ReturnType<typeof fakeCallbacks>;
beforeAll(async () => {
  token = await adminToken();
});
afterEach(() => {
  callbacks?.restore();
  vi.restoreAllMocks();
});

/** A model that throws (a bug, not a TurnResult) for messages containing "boom". */
function explodingRuntime(real: AgentRuntime): AgentRuntime {
  return {
    model: real.model,
    mode: real.mode,
    runTurn: async (req) => {
      if (req.text.includes("boom")) throw new Error("unexpected runtime failure");
      return real.runTurn(req);
    },
  };
}

describe("a sender's alarm that keeps failing", () => {
  it("retries on its own schedule, then answers a poison message with a failure notice and goes on", async () => {
    callbacks = fakeCallbacks();
    const real = conversationAgent.runtime(env);
    vi.spyOn(conversationAgent, "runtime").mockReturnValue(explodingRuntime(real));
    vi.spyOn(console, "error").mockImplementation(() => {});
    const ch = await createWebhookChannel(token, { policy: "open" });
    await signedPost(ch.url, ch.secret, message("olga", "boom"));
    await signedPost(ch.url, ch.secret, message("olga", "and then a normal question"));
    const stub = env.SENDER_SESSION.get(env.SENDER_SESSION.idFromName(`${ch.id}:olga`));

    // Each failed attempt leaves an alarm set for a retry, instead of giving up.
    for (let i = 0; i < 8; i++) {
      await runDurableObjectAlarm(stub);
      if (callbacks.captured.length >= 2) break;
    }
    const texts = await eventually(async () => callbacks.captured.length >= 2 && callbacks.captured.map((c) => c.body.text));
    expect(texts[0]).toMatch(/could not be processed/);
    expect(texts[1]).toContain("You said: and then a normal question");
    const msgs = await call<{ messages: { direction: string; outcome: string; text: string }[] }>(
      "GET",
      `/api/messages?channelId=${ch.id}&senderId=olga&limit=10`,
      undefined,
      token,
    );
    expect(Object.fromEntries(msgs.body.messages.filter((m) => m.direction === "in").map((m) => [m.text, m.outcome]))).toEqual({
      boom: "failed",
      "and then a normal question": "accepted",
    });
    const events = await call<{ events: { kind: string; detail: { attempts: number } }[] }>(
      "GET",
      `/api/events?channelId=${ch.id}&kind=message.failed`,
      undefined,
      token,
    );
    expect(events.body.events).toEqual([expect.objectContaining({ detail: expect.objectContaining({ attempts: 5 }) })]);
  });

  it("a message that fails once is processed normally on the retry", async () => {
    callbacks = fakeCallbacks();
    const real = conversationAgent.runtime(env);
    let calls = 0;
    vi.spyOn(conversationAgent, "runtime").mockReturnValue({
      ...real,
      runTurn: async (req) => {
        calls++;
        if (calls === 1) throw new Error("transient");
        return real.runTurn(req);
      },
    });
    vi.spyOn(console, "error").mockImplementation(() => {});
    const ch = await createWebhookChannel(token, { policy: "open" });
    await signedPost(ch.url, ch.secret, message("pia", "flaky"));
    const stub = env.SENDER_SESSION.get(env.SENDER_SESSION.idFromName(`${ch.id}:pia`));
    for (let i = 0; i < 3 && callbacks.captured.length === 0; i++) await runDurableObjectAlarm(stub);
    const [reply] = await eventually(async () => callbacks.captured.length === 1 && callbacks.captured);
    expect(reply!.body.text).toContain("You said: flaky");
  });
});
