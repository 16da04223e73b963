/**
 * The admin's credentials and a master-key rotation, as a user does them with the CLI against
 * `npm start`: sessions listed and logged out, the password changed, and the gateway restarted
 * with a new LOOPGATE_MASTER_KEY (the old one as LOOPGATE_MASTER_KEY_PREVIOUS) followed by
 * `loopgate reseal`, after which the old key is no longer needed.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliRunner } from "../support/cli-runner";
import { apiClient, removeState, setupAdmin, startGateway, type GatewayProcess } from "../support/gateway-process";
import { postWebhook } from "../support/signed-webhook";

const PORT = 9301;
const PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "another long passphrase";
const SECRET = "account-e2e-signing-secret-0123";
const configHome = mkdtempSync(join(tmpdir(), "loopgate-account-cli-"));
let gw: GatewayProcess;
let stateDir: string;
let token: string;
let channel: { id: string; inboundUrl: string };

beforeAll(async () => {
  gw = await startGateway({ port: PORT });
  stateDir = gw.stateDir;
  ({ token } = await setupAdmin(gw));
  const created = await apiClient(gw.url, token)<{ channel: { id: string; inboundUrl: string } }>("POST", "/api/channels", {
    type: "webhook",
    name: "rotation",
    policy: "disabled",
    config: { secret: SECRET, callbackUrl: "http://127.0.0.1:9/replies" },
  });
  expect(created.status).toBe(201);
  channel = created.body.channel;
});

afterAll(async () => {
  await gw?.stop();
  if (stateDir) removeState(stateDir);
  rmSync(configHome, { recursive: true, force: true });
});

const cliFor = () => cliRunner(configHome, { LOOPGATE_URL: gw.url, LOOPGATE_TOKEN: token });
const login = async (password: string) => apiClient(gw.url)<{ token: string }>("POST", "/api/auth/login", { username: "admin", password });

describe("account and key rotation with the CLI", () => {
  it("lists sessions, logs one out, changes the password (other sessions end) and logs out everywhere", async () => {
    const { cli, cliJson } = cliFor();
    const browser = (await login(PASSWORD)).body.token;
    const { sessions } = await cliJson<{ sessions: { id: string; current: boolean }[] }>(["sessions", "list"]);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    expect(sessions.length).toBeGreaterThanOrEqual(2);

    const changed = await cli(["password", "--password-stdin", "--json"], { input: `${PASSWORD}\n${NEW_PASSWORD}\n` });
    expect(changed.code, changed.stderr).toBe(0);
    expect(JSON.parse(changed.stdout)).toMatchObject({ ok: true, revokedSessions: 1 });
    expect((await apiClient(gw.url, browser)("GET", "/api/runs")).status).toBe(401);
    expect((await login(PASSWORD)).status).toBe(401);
    const fresh = await login(NEW_PASSWORD);
    expect(fresh.status).toBe(200);

    const wrong = await cli(["password", "--password-stdin"], { input: `not the password\n${PASSWORD}\n` });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/currentPassword is wrong/);

    const all = await cliJson<{ revoked: number }>(["sessions", "revoke", "--all"]);
    expect(all.revoked).toBe(1);
    expect((await apiClient(gw.url, fresh.body.token)("GET", "/api/runs")).status).toBe(401);
    expect((await apiClient(gw.url, token)("GET", "/api/runs")).status).toBe(200);
  });

  it("rotates the master key across a restart: the old key as previous, reseal, then the new key alone", async () => {
    const oldKey = readFileSync(join(stateDir, "loopgate-master-key"), "utf8").trim();
    const newKey = "e2e-rotated-master-key-0123456789abcdef";
    const hook = () => postWebhook(channel.inboundUrl, SECRET, { messageId: crypto.randomUUID(), sender: { id: "rot" }, text: "hi" });
    expect((await hook()).status).toBe(200);

    await gw.stop();
    gw = await startGateway({ port: PORT, stateDir, env: { LOOPGATE_MASTER_KEY: newKey, LOOPGATE_MASTER_KEY_PREVIOUS: oldKey } });
    expect((await hook()).status).toBe(200);
    const resealed = await cliFor().cliJson<{ resealed: number; skipped: unknown[] }>(["reseal"]);
    expect(resealed).toMatchObject({ resealed: 1, skipped: [] });

    await gw.stop();
    gw = await startGateway({ port: PORT, stateDir, env: { LOOPGATE_MASTER_KEY: newKey } });
    expect((await hook()).status).toBe(200);
  });
});
