import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { adminToken, call } from "./helpers";

let token: string;
beforeAll(async () => {
  token = await adminToken();
});

interface ChannelView {
  id: string;
  type: string;
  name: string;
  policy: string;
  config: Record<string, unknown>;
  inboundUrl: string;
}

describe("channel administration", () => {
  it("creates a webhook channel, returns its inbound URL, and hides the secret everywhere but D1 (sealed)", async () => {
    const secret = "a-very-secret-signing-key";
    const created = await call<{ channel: ChannelView; generatedSecrets: Record<string, string> }>(
      "POST",
      "/api/channels",
      { type: "webhook", name: "CRM", config: { secret, callbackUrl: "https://crm.example/hook" } },
      token,
    );
    expect(created.status).toBe(201);
    const ch = created.body.channel;
    expect(ch).toMatchObject({ type: "webhook", name: "CRM", policy: "pairing", config: { secret: "[hidden]", callbackUrl: "https://crm.example/hook" } });
    expect(ch.inboundUrl).toBe(`https://gw.test/hooks/${ch.id}`);
    expect(created.body.generatedSecrets).toEqual({});

    const listed = await call<{ channels: ChannelView[] }>("GET", "/api/channels", undefined, token);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    const row = await env.DB.prepare("SELECT config FROM channels WHERE id = ?").bind(ch.id).first<{ config: string }>();
    expect(row!.config).not.toContain(secret);
    expect(JSON.parse(row!.config).secret).toMatch(/^enc:v2:[\w-]+:/);
  });

  it("generates a secret when none is given and shows it exactly once", async () => {
    const created = await call<{ channel: ChannelView; generatedSecrets: { secret: string } }>(
      "POST",
      "/api/channels",
      { type: "webhook", name: "Generated", config: { callbackUrl: "https://x.example/cb" } },
      token,
    );
    expect(created.status).toBe(201);
    expect(created.body.generatedSecrets.secret).toMatch(/^[\w-]{40,}$/);
    const again = await call<{ channel: ChannelView }>("GET", `/api/channels/${created.body.channel.id}`, undefined, token);
    expect(again.body.channel.config.secret).toBe("[hidden]");
  });

  it("updates fields, keeps a secret sent back hidden, and deletes", async () => {
    const created = await call<{ channel: ChannelView }>(
      "POST",
      "/api/channels",
      { type: "webhook", name: "Edit me", config: { secret: "first-secret-value-1", callbackUrl: "https://a.example/1" } },
      token,
    );
    const id = created.body.channel.id;
    const updated = await call<{ channel: ChannelView & { allowlist: string[] } }>(
      "PUT",
      `/api/channels/${id}`,
      { name: "Edited", policy: "allowlist", allowlist: ["u1"], config: { secret: "[hidden]", callbackUrl: "https://a.example/1" } },
      token,
    );
    expect(updated.status).toBe(200);
    expect(updated.body.channel).toMatchObject({
      name: "Edited",
      policy: "allowlist",
      allowlist: ["u1"],
      config: { callbackUrl: "https://a.example/1", secret: "[hidden]" },
    });
    const row = await env.DB.prepare("SELECT config FROM channels WHERE id = ?").bind(id).first<{ config: string }>();
    expect(JSON.parse(row!.config).secret).toMatch(/^enc:v2:[\w-]+:/);
    expect((await call("DELETE", `/api/channels/${id}`, undefined, token)).status).toBe(200);
    expect((await call("GET", `/api/channels/${id}`, undefined, token)).status).toBe(404);
    expect((await call("DELETE", `/api/channels/${id}`, undefined, token)).status).toBe(404);
  });

  it("rejects bad input with messages that name the problem, storing nothing", async () => {
    const before = await env.DB.prepare("SELECT COUNT(*) AS n FROM channels").first<{ n: number }>();
    const cases: [unknown, RegExp][] = [
      [{ type: "carrier-pigeon", name: "x", config: {} }, /unknown channel type "carrier-pigeon"/],
      [{ type: "webhook", name: "x", config: { callbackUrl: "not a url" } }, /invalid webhook config: callbackUrl/],
      [{ type: "webhook", name: "x", config: { callbackUrl: "https://x.example", secret: "short" } }, /secret must be at least 16/],
      [{ type: "webhook", config: { callbackUrl: "https://x.example" } }, /^name:/],
      [{ type: "webhook", name: "x", policy: "everyone", config: { callbackUrl: "https://x.example" } }, /^policy:/],
      [{ type: "web", name: "x", config: {} }, /unknown channel type "web"/],
    ];
    for (const [body, error] of cases) {
      const res = await call<{ error: string }>("POST", "/api/channels", body, token);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toMatch(error);
    }
    const after = await env.DB.prepare("SELECT COUNT(*) AS n FROM channels").first<{ n: number }>();
    expect(after!.n).toBe(before!.n);
  });

  it("returns setup instructions for the generic webhook", async () => {
    const created = await call<{ channel: ChannelView }>(
      "POST",
      "/api/channels",
      { type: "webhook", name: "Setup", config: { callbackUrl: "https://x.example/cb" } },
      token,
    );
    const setup = await call<{ ok: boolean; steps: string[]; inboundUrl: string }>("POST", `/api/channels/${created.body.channel.id}/setup`, undefined, token);
    expect(setup.status).toBe(200);
    expect(setup.body.steps.join("\n")).toMatch(/X-Loopgate-Signature/);
  });
});
