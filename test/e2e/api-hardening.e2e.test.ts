/**
 * The API's defences as a user meets them under `npm start`: the dashboard's security headers
 * (from dashboard/public/_headers), a health check that says only "ok", a 50 MB login body
 * refused, parallel wrong logins limited, and a forged CF-Connecting-IP buying nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, removeState, setupAdmin, startGateway, type GatewayProcess } from "../support/gateway-process";

const PORT = 9300;
let gw: GatewayProcess;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  gw = await startGateway({ port: PORT });
  ({ api } = await setupAdmin(gw));
});

afterAll(async () => {
  await gw?.stop();
  if (gw) removeState(gw.stateDir);
});

const login = (username: string, password: string, headers: Record<string, string> = {}) =>
  fetch(`${gw.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ username, password }),
  });

describe("API hardening under npm start", () => {
  it("serves the dashboard with a CSP that allows only its own scripts and no framing", async () => {
    const res = await fetch(`${gw.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const apiRes = await fetch(`${gw.url}/api/health`);
    expect(apiRes.headers.get("x-frame-options")).toBe("DENY");
  });

  it("tells strangers only that it is up; the admin gets the details", async () => {
    expect(await (await fetch(`${gw.url}/api/health`)).json()).toEqual({ status: "ok" });
    const details = await api<{ version: string; model: { mode: string } }>("GET", "/api/health/details");
    expect(details.status).toBe(200);
    expect(details.body.model.mode).toBe("offline-echo");
  });

  it("refuses a 50 MB login body with 413", async () => {
    const body = JSON.stringify({ username: "admin", password: "x".repeat(50 * 1024 * 1024) });
    const started = Date.now();
    const res = await fetch(`${gw.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(res.status).toBe(413);
    console.log(`50 MB login body refused in ${Date.now() - started} ms`);
  });

  it("lets at most 10 of 40 parallel wrong logins be checked, and a forged CF-Connecting-IP does not reset the count", async () => {
    const statuses = (await Promise.all(Array.from({ length: 40 }, (_, i) => login("racer", `wrong ${i}`)))).map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
    // Another username from a "fresh" address: wrangler dev passes the header through, so it must not count.
    const forged = await login("someone-else", "wrong", { "cf-connecting-ip": "198.51.100.77" });
    expect(forged.status).toBe(429);
  });
});
