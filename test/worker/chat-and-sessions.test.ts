import { createScheduledController, env } from "cloudflare:test";
import worker from "../../workers";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { senderSession } from "../../src/objects/addresses";
import { adminToken, call, createWebhookChannel, eventually, fakeCallbacks, message, signedPost } from "./helpers";

let token: string;
let callbacks: ReturnType<typeof fakeCallbacks> | undefined;
afterEach(() => callbacks?.restore());
beforeAll(async () => {
  token = await adminToken();
});

describe("web chat", () => {
  it("answers through the pipeline, resumes the conversation, and is idempotent per clientMessageId", async () => {
    const first = await call<{ status: string; reply: string; messageId: string }>(
      "POST",
      "/api/chat?wait=10",
      { text: "remember me", clientMessageId: "c-1" },
      token,
    );
    expect(first.status).toBe(200);
    expect(first.body.reply).toMatch(/offline echo.*\(turn 1\) You said: remember me/);
    const second = await call<{ reply: string }>("POST", "/api/chat?wait=10", { text: "again", clientMessageId: "c-2" }, token);
    expect(second.body.reply).toMatch(/\(turn 2\)/);
    const retried = await call<{ duplicate: boolean; messageId: string; reply: string }>(
      "POST",
      "/api/chat?wait=10",
      { text: "remember me", clientMessageId: "c-1" },
      token,
    );
    expect(retried.body).toMatchObject({ duplicate: true, messageId: first.body.messageId, reply: first.body.reply });

    const stub = env.SENDER_SESSION.get(env.SENDER_SESSION.idFromName("web:admin:admin"));
    expect((await stub.history()).map((t) => t.role)).toEqual(["user", "assistant", "user", "assistant"]);
    const sessions = await call<{ sessions: { id: string; messageCount: number; status: string }[] }>("GET", "/api/sessions", undefined, token);
    expect(sessions.body.sessions).toContainEqual(expect.objectContaining({ id: "web:admin:admin", messageCount: 4, status: "active" }));
  });

  it("rejects empty text and needs auth", async () => {
    expect((await call<{ error: string }>("POST", "/api/chat", { text: "  " }, token)).body.error).toMatch(/^text: text is required/);
    expect((await call("POST", "/api/chat", { text: "hi" })).status).toBe(401);
  });

  it("returns pending for a reply not yet there instead of blocking", async () => {
    const res = await call<{ status: string; messageId: string }>("POST", "/api/chat", { text: "no wait" }, token);
    expect([200, 202]).toContain(res.status);
    const later = await call<{ status: string; reply: string }>("GET", `/api/chat/${res.body.messageId}?wait=10`, undefined, token);
    expect(later.body).toMatchObject({ status: "done", reply: expect.stringContaining("no wait") });
  });
});

describe("stale sessions", () => {
  it("the heartbeat marks idle sessions stale and cleans up long-idle ones, deleting their history", async () => {
    const turns = (reply: string) => Number(/\(turn (\d+)\)/.exec(reply)?.[1]);
    const before = await call<{ reply: string }>("POST", "/api/chat?wait=10", { text: "soon stale" }, token);
    const turnBefore = turns(before.body.reply);
    expect(turnBefore).toBeGreaterThan(0);

    // A sender with a real conversation, idle for 40 days.
    callbacks = fakeCallbacks();
    const ch = await createWebhookChannel(token, { policy: "open" });
    await signedPost(ch.url, ch.secret, message("long-gone", "remember this"));
    await eventually(async () => callbacks!.captured.length === 1);
    const gone = senderSession(env, ch.id, "long-gone");
    expect((await gone.history()).length).toBe(2);
    const now = Date.now();
    await env.DB.prepare("UPDATE sessions SET last_activity_at = ? WHERE channel_id = ? AND sender_id = ?")
      .bind(now - 40 * 86_400_000, ch.id, "long-gone")
      .run();

    const ctrl = createScheduledController({ scheduledTime: now + 2 * 86_400_000, cron: "* * * * *" });
    await worker.scheduled(ctrl, env);
    const status = (channelId: string, senderId: string) =>
      env.DB.prepare("SELECT status FROM sessions WHERE channel_id = ? AND sender_id = ?").bind(channelId, senderId).first<{ status: string }>();
    expect((await status("web", "admin:admin"))?.status).toBe("stale");
    expect((await status(ch.id, "long-gone"))?.status).toBe("cleaned");
    expect(await gone.history()).toEqual([]);

    // A returning sender is active again, with history intact: the next turn number, not turn 1 again.
    const back = await call<{ reply: string }>("POST", "/api/chat?wait=10", { text: "back" }, token);
    expect(turns(back.body.reply)).toBe(turnBefore + 1);
    expect((await status("web", "admin:admin"))?.status).toBe("active");
  });
});
