/**
 * The API's defences that no single route owns: login throttling under concurrency, the body
 * cap, security headers, what the public health check reveals, whose address a request is
 * counted against, and the first run without a setup token.
 */
import { createExecutionContext, env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { app } from "../../src/api/app";
import { adminToken, BASE, call } from "./helpers";

const PASSWORD = "correct horse battery staple";
let token: string;
beforeAll(async () => {
  token = await adminToken();
});

/** Calls the app with some settings changed, as a gateway configured that way would answer. */
async function callWith(
  settings: Partial<Record<string, string | undefined>>,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const init: RequestInit = {
    method,
    headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  };
  const res = await app.fetch(new Request(`${BASE}${path}`, init), { ...env, ...settings } as Env, createExecutionContext());
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

describe("login throttling", () => {
  it("counts parallel wrong logins before checking them: no more than the limit get a 401", async () => {
    const from = { "cf-connecting-ip": "203.0.113.40" };
    const attempts = await Promise.all(
      Array.from({ length: 40 }, (_, i) => call("POST", "/api/auth/login", { username: "racer", password: `wrong ${i}` }, undefined, from)),
    );
    const statuses = attempts.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
  });

  it("a successful login does not use up the failure allowance", async () => {
    const from = { "cf-connecting-ip": "203.0.113.41" };
    for (let i = 0; i < 12; i++) expect((await call("POST", "/api/auth/login", { username: "admin", password: PASSWORD }, undefined, from)).status).toBe(200);
  });
});

describe("request bodies", () => {
  it("refuses a body over the cap with 413 before parsing it, even unauthenticated", async () => {
    const huge = JSON.stringify({ username: "admin", password: "x".repeat(2 * 1024 * 1024) });
    const res = await SELF.fetch(`${BASE}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: huge });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toMatch(/too large/);
  });

  it("refuses an oversized body sent without a length (chunked) too", async () => {
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ >= 40) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const res = await SELF.fetch(`${BASE}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: stream,
      // @ts-expect-error workerd's fetch needs no duplex flag, Node's types ask for it
      duplex: "half",
    });
    expect(res.status).toBe(413);
  });
});

describe("security headers", () => {
  it("every API answer forbids framing and sniffing and keeps the referrer", async () => {
    for (const res of [await SELF.fetch(`${BASE}/api/health`), await SELF.fetch(`${BASE}/api/channels`), await SELF.fetch(`${BASE}/hooks/nope`)]) {
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
    }
  });

  it("sends HSTS only over https", async () => {
    const res = await SELF.fetch("http://gw.test/api/health");
    expect(res.headers.get("strict-transport-security")).toBeNull();
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

describe("health", () => {
  it("tells the public only that the gateway is up", async () => {
    const res = await call("GET", "/api/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
  });

  it("gives version, model and bridge counts to an admin", async () => {
    expect((await call("GET", "/api/health/details")).status).toBe(401);
    const res = await call("GET", "/api/health/details", undefined, token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "ok", version: expect.any(String), model: { mode: "offline-echo" }, bridges: expect.any(Object) });
  });
});

describe("client address", () => {
  it("keys IPv6 clients by their /64, so rotating addresses in one network share a limit", async () => {
    const limit = { API_RATE_LIMIT_PER_MINUTE: "3" };
    for (let i = 1; i <= 3; i++)
      expect((await callWith(limit, "GET", "/api/health", undefined, { "cf-connecting-ip": `2001:db8:aa:1::${i}` })).status).toBe(200);
    expect((await callWith(limit, "GET", "/api/health", undefined, { "cf-connecting-ip": "2001:db8:aa:1:ffff:1:2:3" })).status).toBe(429);
    expect((await callWith(limit, "GET", "/api/health", undefined, { "cf-connecting-ip": "2001:0db8:00aa:0001::9" })).status).toBe(429);
    expect((await callWith(limit, "GET", "/api/health", undefined, { "cf-connecting-ip": "2001:db8:aa:2::1" })).status).toBe(200);
  });

  it("ignores CF-Connecting-IP when the gateway is not behind Cloudflare, so a client cannot pick a fresh address per try", async () => {
    const local = { TRUST_CF_CONNECTING_IP: "false" };
    let last = 0;
    for (let i = 0; i < 12; i++) {
      last = (await callWith(local, "POST", "/api/auth/login", { username: `spoof${i}`, password: "wrong" }, { "cf-connecting-ip": `198.51.100.${i + 1}` }))
        .status;
    }
    expect(last).toBe(429);
  });
});

describe("first run", () => {
  it("without LOOPGATE_SETUP_TOKEN, setup is refused with how to set one, and no admin is created", async () => {
    const before = await env.DB.prepare("SELECT COUNT(*) AS n FROM users").first<{ n: number }>();
    const res = await callWith({ LOOPGATE_SETUP_TOKEN: undefined }, "POST", "/api/auth/setup", {
      username: "late",
      password: PASSWORD,
      setupToken: "anything",
    });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatch(/LOOPGATE_SETUP_TOKEN is not configured/);
    const after = await env.DB.prepare("SELECT COUNT(*) AS n FROM users").first<{ n: number }>();
    expect(after?.n).toBe(before?.n);
  });
});

describe("expired tokens", () => {
  it("an API token past its expiry is refused like an unknown one", async () => {
    const minted = await call<{ id: string; token: string }>("POST", "/api/tokens", { name: "short", expiresInDays: 1 }, token);
    expect((await call("GET", "/api/runs", undefined, minted.body.token)).status).toBe(200);
    await env.DB.prepare("UPDATE auth_tokens SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1, minted.body.id)
      .run();
    const res = await call<{ error: string }>("GET", "/api/runs", undefined, minted.body.token);
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(/expired/);
  });
});
