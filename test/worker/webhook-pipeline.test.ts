import { env, SELF } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { settleWithControl } from "../support/after-control";
import { adminToken, call, createWebhookChannel, eventually, fakeCallbacks, hmacHex, message, signedPost } from "./helpers";

let token: string;
let callbacks: ReturnType<typeof fakeCallbacks>;
beforeAll(async () => {
  token = await adminToken();
});
afterEach(() => callbacks?.restore());

const repliesTo = (recipient: string) => callbacks.captured.filter((c) => c.body.recipient === recipient);

describe("generic webhook channel, through the whole pipeline", () => {
  it("answers a signed message with a signed callback, threaded to it", async () => {
    callbacks = fakeCallbacks();
    const ch = await createWebhookChannel(token, { policy: "open" });
    const res = await signedPost(ch.url, ch.secret, { ...message("alice", "hello"), conversationId: "conv-1" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, accepted: 1, duplicates: 0 });

    const [reply] = await eventually(async () => repliesTo("alice").length > 0 && repliesTo("alice"));
    expect(reply!.body).toMatchObject({ channelId: ch.id, conversationId: "conv-1", recipient: "alice", text: expect.stringContaining("You said: hello") });
    const ts = reply!.headers.get("x-loopgate-timestamp")!;
    expect(reply!.headers.get("x-loopgate-signature")).toBe(`sha256=${await hmacHex(ch.secret, `${ts}.${reply!.raw}`)}`);
    expect(reply!.headers.get("x-loopgate-delivery")).toMatch(/^msg_/);

    const runs = await call<{ runs: { channelId: string; status: string; deliveryStatus: string }[] }>("GET", `/api/runs?channelId=${ch.id}`, undefined, token);
    expect(runs.body.runs).toEqual([expect.objectContaining({ status: "ok", deliveryStatus: "sent" })]);
  });

  it("drops a retried webhook (same messageId) and replies once", async () => {
    callbacks = fakeCallbacks();
    const ch = await createWebhookChannel(token, { policy: "open" });
    const m = message("bob", "only once");
    const first = await signedPost(ch.url, ch.secret, m);
    const second = await signedPost(ch.url, ch.secret, m);
    expect(await first.json()).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await second.json()).toMatchObject({ accepted: 0, duplicates: 1 });
    await eventually(async () => repliesTo("bob").length === 1);
    await settleWithControl(
      (text) => signedPost(ch.url, ch.secret, message("bob", text)),
      callbacks.captured,
      (c) => c.body.text,
    );
    expect(repliesTo("bob")).toHaveLength(1);
    const msgs = await call<{ messages: { direction: string }[] }>("GET", `/api/messages?channelId=${ch.id}`, undefined, token);
    expect(msgs.body.messages.filter((m) => m.direction === "in")).toHaveLength(2); // the message once, and the control message
  });

  it("refuses the 11th message in a minute with one slow-down reply, not one per message", async () => {
    callbacks = fakeCallbacks();
    const ch = await createWebhookChannel(token, { policy: "open" });
    for (let i = 1; i <= 13; i++) expect((await signedPost(ch.url, ch.secret, message("carol", `msg ${i}`))).status).toBe(200);
    // A control message would itself be rate limited here; instead wait until all 13 messages
    // have their recorded outcome: replies go out before a message is recorded, so nothing is
    // left to send after that.
    await eventually(async () => {
      const res = await call<{ messages: { direction: string; outcome: string | null }[] }>(
        "GET",
        `/api/messages?channelId=${ch.id}&limit=100`,
        undefined,
        token,
      );
      return res.body.messages.filter((m) => m.direction === "in" && m.outcome && m.outcome !== "pending").length === 13;
    }, 10_000);
    const texts = repliesTo("carol").map((c) => c.body.text);
    expect(texts.filter((t) => t.includes("You said"))).toHaveLength(10);
    expect(texts.filter((t) => t.includes("too fast"))).toHaveLength(1);
    const msgs = await call<{ messages: { direction: string; outcome: string }[] }>("GET", `/api/messages?channelId=${ch.id}&limit=100`, undefined, token);
    expect(msgs.body.messages.filter((m) => m.outcome === "rate_limited")).toHaveLength(3);
  });

  it("honours a per-channel rate limit", async () => {
    callbacks = fakeCallbacks();
    const ch = await createWebhookChannel(token, { policy: "open", rateLimitPerMinute: 2 });
    for (let i = 1; i <= 3; i++) await signedPost(ch.url, ch.secret, message("dave", `m${i}`));
    await eventually(async () => repliesTo("dave").length === 3);
    expect(repliesTo("dave").map((c) => c.body.text.includes("too fast"))).toEqual([false, false, true]);
  });

  it("delivers a reply after the callback receiver fails twice, and records the attempts", async () => {
    callbacks = fakeCallbacks([500, 503]);
    const ch = await createWebhookChannel(token, { policy: "open" });
    await signedPost(ch.url, ch.secret, message("erin", "persist"));
    await eventually(async () => callbacks.captured.length === 3, 10_000);
    const runs = await eventually(async () => {
      const r = await call<{ runs: { deliveryStatus: string; deliveryAttempts: number }[] }>("GET", `/api/runs?channelId=${ch.id}`, undefined, token);
      return r.body.runs[0]?.deliveryStatus === "sent" && r.body.runs;
    });
    expect(runs[0]).toMatchObject({ deliveryStatus: "sent", deliveryAttempts: 3 });
    expect(new Set(callbacks.captured.map((c) => c.headers.get("x-loopgate-delivery"))).size).toBe(1);
  });

  it("marks a reply failed, visibly, when the receiver refuses it for good", async () => {
    callbacks = fakeCallbacks([400]);
    const ch = await createWebhookChannel(token, { policy: "open" });
    await signedPost(ch.url, ch.secret, message("frank", "refused"));
    const runs = await eventually(async () => {
      const r = await call<{ runs: { deliveryStatus: string; deliveryError: string }[] }>("GET", `/api/runs?channelId=${ch.id}`, undefined, token);
      return r.body.runs[0]?.deliveryStatus === "failed" && r.body.runs;
    });
    expect(runs[0]!.deliveryError).toContain("HTTP 400");
    expect(callbacks.captured).toHaveLength(1);
  });

  it("rejects bad requests with a clear error and stores nothing", async () => {
    callbacks = fakeCallbacks();
    const ch = await createWebhookChannel(token, { policy: "open" });
    const body = JSON.stringify(message("mallory", "x"));
    const ts = Math.floor(Date.now() / 1000);
    const cases: [string, RequestInit, number, RegExp][] = [
      ["no signature", { method: "POST", body, headers: { "content-type": "application/json" } }, 401, /missing/],
      [
        "wrong signature",
        { method: "POST", body, headers: { "x-loopgate-timestamp": String(ts), "x-loopgate-signature": `sha256=${"0".repeat(64)}` } },
        401,
        /does not match/,
      ],
      [
        "signed with another secret",
        {
          method: "POST",
          body,
          headers: { "x-loopgate-timestamp": String(ts), "x-loopgate-signature": `sha256=${await hmacHex("other-secret-123456", `${ts}.${body}`)}` },
        },
        401,
        /does not match/,
      ],
      [
        "replayed (10 minutes old)",
        {
          method: "POST",
          body,
          headers: { "x-loopgate-timestamp": String(ts - 600), "x-loopgate-signature": `sha256=${await hmacHex(ch.secret, `${ts - 600}.${body}`)}` },
        },
        401,
        /replay window/,
      ],
      ["too large", { method: "POST", body: "x".repeat(300 * 1024), headers: { "x-loopgate-timestamp": String(ts) } }, 413, /exceeds/],
    ];
    for (const [name, init, status, error] of cases) {
      const res = await SELF.fetch(ch.url, init);
      expect(res.status, name).toBe(status);
      expect((await res.json<{ error: string }>()).error, name).toMatch(error);
    }
    const malformed = await signedPost(ch.url, ch.secret, null, { raw: "{not json" });
    expect(malformed.status).toBe(400);
    expect((await malformed.json<{ error: string }>()).error).toMatch(/not valid JSON/);
    const missingField = await signedPost(ch.url, ch.secret, { messageId: "m1", text: "no sender" });
    expect(missingField.status).toBe(400);
    expect((await missingField.json<{ error: string }>()).error).toMatch(/^sender/);
    const unknown = await signedPost(ch.url.replace(ch.id, "ch_nope"), ch.secret, message("x", "y"));
    expect(unknown.status).toBe(404);

    const stored = await env.DB.prepare("SELECT COUNT(*) AS n FROM messages WHERE channel_id = ?").bind(ch.id).first<{ n: number }>();
    expect(stored?.n).toBe(0);
    expect(callbacks.captured).toHaveLength(0);
  });
});
