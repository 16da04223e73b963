/**
 * The activity feed in words (dashboard/src/feed/event-sentence.ts) and the admin actions it
 * lists (src/api/audit-feed.ts): each event kind reads as a sentence with the channel's name and
 * the person's name, not ids; refusals are recorded once per quiet period, not once per request.
 */
import { describe, expect, it } from "vitest";
import { sentence } from "../../dashboard/src/feed/event-sentence";
import { describeAdminAction, REFUSAL_QUIET_MS, refusedWebhookEvent } from "../../src/api/audit-words";

const names = {
  channel: (id: string) => ({ ch_tg: "Family Telegram", web: "Web chat" })[id] ?? id,
  sender: (_c: string, s: string) => ({ "4242": "Uma" })[s] ?? s,
};
const ev = (kind: string, detail: Record<string, unknown>, channelId: string | null = "ch_tg", senderId: string | null = "4242") => ({
  kind,
  channelId,
  senderId,
  detail,
});

describe("feed sentences", () => {
  it("says who, on which channel by name, and what happened with its figures", () => {
    const s = sentence(ev("agent.run", { status: "ok", latencyMs: 2140, inputTokens: 900, outputTokens: 300, costUsd: 0.004 }), names);
    expect(s).toEqual({ tone: "ok", label: "Answered", text: "Uma on Family Telegram · answered in 2.1 s · 1.2k tokens · $0.0040" });
    expect(sentence(ev("message.received", { text: "hello\nthere" }), names).text).toBe("Uma on Family Telegram wrote “hello there”");
  });

  it("makes failures plain and marks them bad or warn", () => {
    const failed = sentence(ev("reply.failed", { attempts: 6, error: "HTTP 502 from the platform" }), names);
    expect(failed.tone).toBe("bad");
    expect(failed.text).toBe("The reply to Uma on Family Telegram could not be delivered after 6 tries: HTTP 502 from the platform");
    expect(sentence(ev("reply.retrying", { error: "HTTP 429", retryInMs: 4000 }), names)).toMatchObject({
      tone: "warn",
      text: expect.stringContaining("trying again in 4.0 s"),
    });
    expect(sentence(ev("loop.finished", { reason: "no_progress", iterations: 3 }, null, null), names).text).toBe(
      "Loop task ended after 3 iterations: it stopped making progress",
    );
  });

  it("reads refused webhooks and admin actions", () => {
    expect(sentence(ev("webhook.refused", { status: 401, error: "secret token does not match" }, "ch_tg", null), names).text).toBe(
      "A request to Family Telegram's webhook was refused (401): secret token does not match",
    );
    expect(sentence(ev("admin.action", { user: "admin", action: "paused scheduled job job_1" }, null, null), names).text).toBe(
      "admin paused scheduled job job_1",
    );
  });

  it("turns an unknown kind into words, not JSON", () => {
    const s = sentence(ev("container.finished", { exitCode: 0, durationMs: 1200, runId: "run_1" }), names);
    expect(s.text).toBe("Uma on Family Telegram · exit code 0 · duration ms 1200");
    expect(s.label).toBe("finished");
  });
});

describe("admin actions and refusals for the feed", () => {
  it("describes changes in words", () => {
    expect(describeAdminAction("POST", "/api/channels")?.action).toBe("created a channel");
    expect(describeAdminAction("PUT", "/api/jobs/job_1")?.action).toBe("changed scheduled job job_1");
    expect(describeAdminAction("POST", "/api/jobs/job_1/pause")?.action).toBe("paused scheduled job job_1");
    expect(describeAdminAction("DELETE", "/api/channels/ch_1")).toEqual({ action: "deleted channel ch_1", resource: "channels", id: "ch_1" });
    expect(describeAdminAction("POST", "/api/auth/password")?.action).toBe("changed their password");
  });

  it("names what changed, not its id, when the name is known", () => {
    expect(describeAdminAction("POST", "/api/channels", { after: "Family Telegram" })?.action).toBe("created a channel named Family Telegram");
    expect(describeAdminAction("PUT", "/api/channels/ch_1", { before: "Family", after: "Family Telegram" })?.action).toBe(
      "renamed channel Family to Family Telegram",
    );
    expect(describeAdminAction("PUT", "/api/channels/ch_1", { before: "Family Telegram", after: "Family Telegram" })?.action).toBe(
      "changed channel Family Telegram",
    );
    expect(describeAdminAction("POST", "/api/jobs/job_1/pause", { before: "Morning brief" })?.action).toBe("paused scheduled job Morning brief");
    expect(describeAdminAction("DELETE", "/api/tasks/7", { before: "Tidy the docs" })?.action).toBe("deleted loop task Tidy the docs");
  });

  it("records a refusal once per quiet period per channel and reason", () => {
    const t = 1_000_000;
    expect(refusedWebhookEvent("ch_q", 401, "bad signature", t)?.kind).toBe("webhook.refused");
    expect(refusedWebhookEvent("ch_q", 401, "bad signature", t + 1)).toBeNull();
    expect(refusedWebhookEvent("ch_q", 400, "malformed request", t + 1)).not.toBeNull();
    expect(refusedWebhookEvent("ch_q", 401, "bad signature", t + REFUSAL_QUIET_MS)).not.toBeNull();
  });
});
