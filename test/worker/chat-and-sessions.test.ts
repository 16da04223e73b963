import { createScheduledController, env } from "cloudflare:test";
import worker from "../../workers";
import { beforeAll, describe, expect, it } from "vitest";
import { adminToken, call } from "./helpers";

let token: string;
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
  it("the heartbeat marks idle sessions stale and cleans up long-idle ones", async () => {
    await call("POST", "/api/chat?wait=10", { text: "soon stale" }, token);
    const now = Date.now();
    await env.DB.prepare(
      "INSERT INTO sessions (id, channel_id, sender_id, status, message_count, created_at, last_activity_at) VALUES ('web:old', 'web', 'old', 'stale', 2, ?, ?)",
    )
      .bind(now - 40 * 86_400_000, now - 40 * 86_400_000)
      .run();
    const ctrl = createScheduledController({ scheduledTime: now + 2 * 86_400_000, cron: "* * * * *" });
    await worker.scheduled(ctrl, env);
    const rows = await env.DB.prepare("SELECT id, status FROM sessions WHERE id IN ('web:admin:admin', 'web:old')").all<{ id: string; status: string }>();
    expect(Object.fromEntries(rows.results.map((r) => [r.id, r.status]))).toEqual({ "web:admin:admin": "stale", "web:old": "cleaned" });

    // A returning sender is active again, with history intact.
    const back = await call<{ reply: string }>("POST", "/api/chat?wait=10", { text: "back" }, token);
    expect(back.body.reply).toMatch(/\(turn \d+\)/);
    expect((await env.DB.prepare("SELECT status FROM sessions WHERE id = 'web:admin:admin'").first<{ status: string }>())?.status).toBe("active");
  });
});
