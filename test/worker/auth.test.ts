import { describe, expect, it } from "vitest";
import { adminToken, call, SETUP_TOKEN } from "./helpers";

const PASSWORD = "correct horse battery staple";

describe("admin setup, login, logout and tokens", () => {
  it("guards setup with the setup token and allows it only once", async () => {
    expect((await call("GET", "/api/auth/status")).body).toEqual({ setupRequired: true });
    const missing = await call<{ error: string }>("POST", "/api/auth/setup", { username: "admin", password: PASSWORD });
    expect(missing.status).toBe(403);
    const wrong = await call<{ error: string }>("POST", "/api/auth/setup", { username: "admin", password: PASSWORD, setupToken: "guess" });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error).toMatch(/setupToken/);
    const weak = await call<{ error: string }>("POST", "/api/auth/setup", { username: "admin", password: "short", setupToken: SETUP_TOKEN });
    expect(weak.status).toBe(400);
    expect(weak.body.error).toMatch(/^password: .*at least 10/);
    expect((await call("GET", "/api/auth/status")).body).toEqual({ setupRequired: true });

    const ok = await call<{ token: string }>("POST", "/api/auth/setup", { username: "admin", password: PASSWORD, setupToken: SETUP_TOKEN });
    expect(ok.status).toBe(201);
    expect(ok.body.token).toMatch(/^lg_/);
    expect((await call("GET", "/api/auth/status")).body).toEqual({ setupRequired: false });
    const again = await call("POST", "/api/auth/setup", { username: "eve", password: PASSWORD, setupToken: SETUP_TOKEN });
    expect(again.status).toBe(409);
  });

  it("needs a valid bearer token on every other route; logout invalidates it", async () => {
    await adminToken();
    expect((await call("GET", "/api/channels")).status).toBe(401);
    expect((await call("GET", "/api/channels", undefined, "lg_forged")).status).toBe(401);
    const bad = await call<{ error: string }>("POST", "/api/auth/login", { username: "admin", password: "wrong password" });
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe("invalid username or password");
    const login = await call<{ token: string }>("POST", "/api/auth/login", { username: "admin", password: PASSWORD });
    expect(login.status).toBe(200);
    expect((await call("GET", "/api/channels", undefined, login.body.token)).status).toBe(200);
    expect((await call("POST", "/api/auth/logout", undefined, login.body.token)).status).toBe(200);
    expect((await call("GET", "/api/channels", undefined, login.body.token)).status).toBe(401);
  });

  it("mints long-lived API tokens, shown once, listed without the secret, revocable", async () => {
    const admin = await adminToken();
    const minted = await call<{ id: string; token: string }>("POST", "/api/tokens", { name: "ci script" }, admin);
    expect(minted.status).toBe(201);
    expect((await call("GET", "/api/runs", undefined, minted.body.token)).status).toBe(200);
    const list = await call<{ tokens: Record<string, unknown>[] }>("GET", "/api/tokens", undefined, admin);
    expect(list.body.tokens).toContainEqual(expect.objectContaining({ id: minted.body.id, name: "ci script" }));
    expect(JSON.stringify(list.body)).not.toContain(minted.body.token);
    expect((await call("DELETE", `/api/tokens/${minted.body.id}`, undefined, admin)).status).toBe(200);
    expect((await call("GET", "/api/runs", undefined, minted.body.token)).status).toBe(401);
  });

  it("throttles failed logins per username and per IP with 429 and Retry-After", async () => {
    await adminToken();
    const from = { "cf-connecting-ip": "203.0.113.7" };
    for (let i = 0; i < 10; i++)
      expect((await call("POST", "/api/auth/login", { username: "ghost", password: `nope ${i}` }, undefined, from)).status).toBe(401);
    const blocked = await call<{ error: string }>("POST", "/api/auth/login", { username: "admin", password: PASSWORD }, undefined, from);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    // The username is throttled from any address; other users from other addresses are not.
    expect((await call("POST", "/api/auth/login", { username: "ghost", password: "again" }, undefined, { "cf-connecting-ip": "198.51.100.9" })).status).toBe(
      429,
    );
    expect((await call("POST", "/api/auth/login", { username: "admin", password: PASSWORD }, undefined, { "cf-connecting-ip": "198.51.100.9" })).status).toBe(
      200,
    );
  });

  it("limits /api/* to 120 requests a minute per IP", async () => {
    const from = { "cf-connecting-ip": "192.0.2.44" };
    for (let i = 0; i < 120; i++) expect((await call("GET", "/api/health", undefined, undefined, from)).status).toBe(200);
    const limited = await call<{ error: string }>("GET", "/api/health", undefined, undefined, from);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    expect((await call("GET", "/api/health", undefined, undefined, { "cf-connecting-ip": "192.0.2.45" })).status).toBe(200);
  });

  it("answers malformed JSON and unknown routes with clear errors", async () => {
    const res = await call<{ error: string }>("POST", "/api/auth/login", "{oops");
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/JSON/i);
    const missing = await call<{ error: string }>("GET", "/api/nothing-here", undefined, await adminToken());
    expect(missing.status).toBe(404);
  });

  it("lists the admin's sessions, marks the current one, and revokes another", async () => {
    const current = await adminToken();
    const other = await adminToken();
    const list = await call<{ sessions: { id: string; current: boolean; lastUsedAt: number | null }[] }>("GET", "/api/auth/sessions", undefined, current);
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(current);
    const mine = list.body.sessions.filter((s) => s.current);
    expect(mine).toHaveLength(1);
    const others = list.body.sessions.filter((s) => !s.current);
    expect(others.length).toBeGreaterThanOrEqual(1);
    for (const s of others) expect((await call("DELETE", `/api/auth/sessions/${s.id}`, undefined, current)).status).toBe(200);
    expect((await call("GET", "/api/runs", undefined, other)).status).toBe(401);
    expect((await call("GET", "/api/runs", undefined, current)).status).toBe(200);
    expect((await call("DELETE", `/api/auth/sessions/${others[0]!.id}`, undefined, current)).status).toBe(404);
  });

  it("logs out everywhere: other sessions end, API tokens only when asked, the caller stays in", async () => {
    const current = await adminToken();
    const other = await adminToken();
    const script = (await call<{ token: string }>("POST", "/api/tokens", { name: "script" }, current)).body.token;
    const res = await call<{ revoked: number }>("POST", "/api/auth/logout-everywhere", {}, current);
    expect(res.status).toBe(200);
    expect(res.body.revoked).toBeGreaterThanOrEqual(1);
    expect((await call("GET", "/api/runs", undefined, other)).status).toBe(401);
    expect((await call("GET", "/api/runs", undefined, script)).status).toBe(200);
    expect((await call("GET", "/api/runs", undefined, current)).status).toBe(200);
    expect((await call("POST", "/api/auth/logout-everywhere", { includeApiTokens: true }, current)).status).toBe(200);
    expect((await call("GET", "/api/runs", undefined, script)).status).toBe(401);
  });

  it("changes the password: the current one is required, other sessions end, the new one logs in", async () => {
    const current = await adminToken();
    const other = await adminToken();
    const NEW = "a brand new passphrase";
    const wrong = await call<{ error: string }>("POST", "/api/auth/password", { currentPassword: "not it at all", newPassword: NEW }, current);
    expect(wrong.status).toBe(403);
    const weak = await call<{ error: string }>("POST", "/api/auth/password", { currentPassword: PASSWORD, newPassword: "short" }, current);
    expect(weak.status).toBe(400);
    const ok = await call<{ revokedSessions: number }>("POST", "/api/auth/password", { currentPassword: PASSWORD, newPassword: NEW }, current);
    expect(ok.status).toBe(200);
    expect(ok.body.revokedSessions).toBeGreaterThanOrEqual(1);
    expect((await call("GET", "/api/runs", undefined, other)).status).toBe(401);
    expect((await call("GET", "/api/runs", undefined, current)).status).toBe(200);
    expect((await call("POST", "/api/auth/login", { username: "admin", password: PASSWORD })).status).toBe(401);
    expect((await call("POST", "/api/auth/login", { username: "admin", password: NEW })).status).toBe(200);
    // Back to the shared password for the tests that follow.
    expect((await call("POST", "/api/auth/password", { currentPassword: NEW, newPassword: PASSWORD }, current)).status).toBe(200);
  });
});
