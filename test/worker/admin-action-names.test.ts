/**
 * Admin actions in the activity feed name what changed and link to it (src/api/audit-feed.ts,
 * audit-names.ts): a channel created, renamed, changed and deleted, a scheduled job paused,
 * read back from GET /api/events as the dashboard reads them.
 */
import { describe, expect, it } from "vitest";
import { adminToken, call, eventually } from "./helpers";

type Event = { kind: string; channelId: string | null; detail: Record<string, unknown> };

describe("admin actions in the feed", () => {
  it("say which channel and job by name, with a link to it", async () => {
    const token = await adminToken();
    const tag = crypto.randomUUID().slice(0, 6);
    const actions = async () =>
      (await call<{ events: Event[] }>("GET", "/api/events?limit=200&kind=admin.action", undefined, token)).body.events.filter(
        (e) => e.kind === "admin.action",
      );
    const find = (action: string) => eventually(async () => (await actions()).find((e) => e.detail.action === action), 10_000);

    const created = await call<{ channel: { id: string } }>(
      "POST",
      "/api/channels",
      { type: "webhook", name: `Family ${tag}`, config: { secret: `secret-${crypto.randomUUID()}`, callbackUrl: "https://callback.test/replies" } },
      token,
    );
    expect(created.status).toBe(201);
    const channelId = created.body.channel.id;
    const made = await find(`created a channel named Family ${tag}`);
    expect(made).toMatchObject({ channelId, detail: { user: "admin", targetId: channelId, targetName: `Family ${tag}`, href: `/channels?open=${channelId}` } });

    expect((await call("PUT", `/api/channels/${channelId}`, { name: `Family Telegram ${tag}` }, token)).status).toBe(200);
    await find(`renamed channel Family ${tag} to Family Telegram ${tag}`);
    expect((await call("PUT", `/api/channels/${channelId}`, { policy: "open" }, token)).status).toBe(200);
    await find(`changed channel Family Telegram ${tag}`);

    const job = await call<{ job: { id: string } }>(
      "POST",
      "/api/jobs",
      { name: `Morning brief ${tag}`, cron: "0 7 * * *", steps: [{ prompt: "Brief me" }] },
      token,
    );
    expect(job.status).toBe(201);
    expect((await call("POST", `/api/jobs/${job.body.job.id}/pause`, {}, token)).status).toBe(200);
    const paused = await find(`paused scheduled job Morning brief ${tag}`);
    expect(paused.detail.href).toBe(`/jobs?open=${job.body.job.id}`);

    // Deleted: named from before the change, and nothing left to link to.
    expect((await call("DELETE", `/api/channels/${channelId}`, undefined, token)).status).toBe(200);
    const deleted = await find(`deleted channel Family Telegram ${tag}`);
    expect(deleted.detail.href).toBeUndefined();
    // No action names an id where a name was known.
    for (const e of await actions()) if (String(e.detail.action).includes(tag)) expect(String(e.detail.action)).not.toMatch(/\b(ch|job)_[0-9A-Za-z]+/);
  });
});
