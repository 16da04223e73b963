/**
 * Rotating LOOPGATE_MASTER_KEY: with the old key as LOOPGATE_MASTER_KEY_PREVIOUS every sealed
 * secret still opens, `reseal` seals them again under the new key, and afterwards the old key
 * is no longer needed, for channel secrets and MCP server tokens alike. A key that sealed nothing in force is a clear 503, not a 500.
 */
import { createExecutionContext, env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { app } from "../../src/api/app";
import { keyringFor } from "../../src/crypto/keyring";
import { SecretBox } from "../../src/crypto/secret-box";
import { adminToken, BASE, call, createWebhookChannel, hmacHex } from "./helpers";

const OLD_KEY = env.LOOPGATE_MASTER_KEY!;
const NEW_KEY = "rotated-master-key-fedcba9876543210";
let token: string;
let channel: Awaited<ReturnType<typeof createWebhookChannel>>;

beforeAll(async () => {
  token = await adminToken();
  channel = await createWebhookChannel(token, { policy: "disabled" });
});

/** The gateway as configured with these keys answers `path`. */
async function withKeys(keys: { LOOPGATE_MASTER_KEY: string; LOOPGATE_MASTER_KEY_PREVIOUS?: string }, method: string, path: string, init: RequestInit = {}) {
  const res = await app.fetch(
    new Request(`${BASE}${path}`, { method, ...init }),
    { ...env, LOOPGATE_MASTER_KEY_PREVIOUS: undefined, ...keys } as Env,
    createExecutionContext(),
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A correctly signed webhook to the channel: it verifies only if the channel's sealed secret opens. */
async function signedHook(keys: { LOOPGATE_MASTER_KEY: string; LOOPGATE_MASTER_KEY_PREVIOUS?: string }) {
  const body = JSON.stringify({ messageId: crypto.randomUUID(), sender: { id: "rotator" }, text: "hi" });
  const ts = String(Math.floor(Date.now() / 1000));
  const headers = {
    "content-type": "application/json",
    "x-loopgate-timestamp": ts,
    "x-loopgate-signature": `sha256=${await hmacHex(channel.secret, `${ts}.${body}`)}`,
  };
  return withKeys(keys, "POST", `/hooks/${channel.id}`, { headers, body });
}

async function storedSecret(): Promise<string> {
  const row = await env.DB.prepare("SELECT config FROM channels WHERE id = ?").bind(channel.id).first<{ config: string }>();
  return (JSON.parse(row!.config) as { secret: string }).secret;
}

describe("master key rotation", () => {
  it("names the sealing key in every sealed value", async () => {
    const oldId = (await SecretBox.fromMasterKey(OLD_KEY)).keyId;
    expect(await storedSecret()).toMatch(new RegExp(`^enc:v2:${oldId}:`));
    expect(await storedSecret()).not.toContain(channel.secret);
  });

  it("keeps secrets readable with the old key as previous, reseals them under the new key, then needs only the new key", async () => {
    const auth = { headers: { authorization: `Bearer ${token}` } };
    // A new key alone cannot open what the old one sealed: a clear error, not a crash.
    const lost = await signedHook({ LOOPGATE_MASTER_KEY: NEW_KEY });
    expect(lost.status).toBe(503);
    expect(lost.body.error).toMatch(/LOOPGATE_MASTER_KEY_PREVIOUS/);

    const rotating = { LOOPGATE_MASTER_KEY: NEW_KEY, LOOPGATE_MASTER_KEY_PREVIOUS: OLD_KEY };
    expect((await signedHook(rotating)).status).toBe(200);
    const resealed = await withKeys(rotating, "POST", "/api/secrets/reseal", auth);
    expect(resealed.status).toBe(200);
    expect(resealed.body).toMatchObject({ resealed: expect.any(Number), skipped: [] });
    expect(resealed.body.resealed).toBeGreaterThanOrEqual(1);
    const newId = (await SecretBox.fromMasterKey(NEW_KEY)).keyId;
    expect(resealed.body.keyId).toBe(newId);
    expect(await storedSecret()).toMatch(new RegExp(`^enc:v2:${newId}:`));
    // Nothing left to do on a second run; the old key is no longer needed.
    expect((await withKeys(rotating, "POST", "/api/secrets/reseal", auth)).body.resealed).toBe(0);
    expect((await signedHook({ LOOPGATE_MASTER_KEY: NEW_KEY })).status).toBe(200);
    expect((await signedHook({ LOOPGATE_MASTER_KEY: OLD_KEY })).status).toBe(503);

    // Rotate back so the rest of the gateway (its objects use the test's own key) can read the channel.
    const back = await withKeys({ LOOPGATE_MASTER_KEY: OLD_KEY, LOOPGATE_MASTER_KEY_PREVIOUS: NEW_KEY }, "POST", "/api/secrets/reseal", auth);
    expect(back.body.resealed).toBeGreaterThanOrEqual(1);
    expect((await signedHook({ LOOPGATE_MASTER_KEY: OLD_KEY })).status).toBe(200);
  });

  it("reseals MCP server tokens too, so they still open once the old key is gone", async () => {
    const auth = { headers: { authorization: `Bearer ${token}` } };
    const created = await call<{ id: string }>(
      "POST",
      "/api/mcp-servers",
      { name: "rotated-crm", url: "https://crm.example.com/mcp", token: "mcp-rotation-token-42" },
      token,
    );
    expect(created.status).toBe(201);
    const stored = async () => (await env.DB.prepare("SELECT token FROM mcp_servers WHERE id = ?").bind(created.body.id).first<{ token: string }>())!.token;
    const oldId = (await SecretBox.fromMasterKey(OLD_KEY)).keyId;
    const newId = (await SecretBox.fromMasterKey(NEW_KEY)).keyId;
    expect(await stored()).toMatch(new RegExp(`^enc:v2:${oldId}:`));

    const rotating = { LOOPGATE_MASTER_KEY: NEW_KEY, LOOPGATE_MASTER_KEY_PREVIOUS: OLD_KEY };
    const resealed = await withKeys(rotating, "POST", "/api/secrets/reseal", auth);
    expect(resealed.body).toMatchObject({ mcpTokensResealed: 1, skipped: [] });
    expect(await stored()).toMatch(new RegExp(`^enc:v2:${newId}:`));
    const onlyNew = await keyringFor({ LOOPGATE_MASTER_KEY: NEW_KEY });
    expect(await onlyNew!.open(await stored())).toBe("mcp-rotation-token-42");
    expect((await withKeys(rotating, "POST", "/api/secrets/reseal", auth)).body.mcpTokensResealed).toBe(0);

    // Back to the test's own key, for the tests after this one.
    await withKeys({ LOOPGATE_MASTER_KEY: OLD_KEY, LOOPGATE_MASTER_KEY_PREVIOUS: NEW_KEY }, "POST", "/api/secrets/reseal", auth);
    expect(await stored()).toMatch(new RegExp(`^enc:v2:${oldId}:`));
  });

  it("opens values sealed before key ids existed (enc:v1) and reseals them", async () => {
    const box = await SecretBox.fromMasterKey(OLD_KEY);
    const v2 = await box.seal(channel.secret);
    const v1 = `enc:v1:${v2.split(":").slice(3).join(":")}`;
    const row = await env.DB.prepare("SELECT config FROM channels WHERE id = ?").bind(channel.id).first<{ config: string }>();
    const config = { ...(JSON.parse(row!.config) as Record<string, unknown>), secret: v1 };
    await env.DB.prepare("UPDATE channels SET config = ? WHERE id = ?").bind(JSON.stringify(config), channel.id).run();
    expect((await signedHook({ LOOPGATE_MASTER_KEY: OLD_KEY })).status).toBe(200);
    const res = await withKeys({ LOOPGATE_MASTER_KEY: OLD_KEY }, "POST", "/api/secrets/reseal", { headers: { authorization: `Bearer ${token}` } });
    expect(res.body.resealed).toBeGreaterThanOrEqual(1);
    expect(await storedSecret()).toMatch(/^enc:v2:/);
  });

  it("a webhook accepts the previous signing secret alongside the new one until it is removed", async () => {
    const ch = await createWebhookChannel(token, { policy: "disabled" });
    const NEW_SECRET = `new-secret-${crypto.randomUUID()}`;
    const put = (config: Record<string, unknown>) =>
      call("PUT", `/api/channels/${ch.id}`, { config: { callbackUrl: "https://callback.test/replies", ...config } }, token);
    const post = async (secret: string) => {
      const body = JSON.stringify({ messageId: crypto.randomUUID(), sender: { id: "switcher" }, text: "hi" });
      const ts = String(Math.floor(Date.now() / 1000));
      const res = await SELF.fetch(ch.url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-loopgate-timestamp": ts, "x-loopgate-signature": `sha256=${await hmacHex(secret, `${ts}.${body}`)}` },
        body,
      });
      return res.status;
    };
    expect((await put({ secret: NEW_SECRET, previousSecret: ch.secret })).status).toBe(200);
    expect(await post(ch.secret)).toBe(200);
    expect(await post(NEW_SECRET)).toBe(200);
    const shown = await call<{ channel: { config: Record<string, unknown> } }>("GET", `/api/channels/${ch.id}`, undefined, token);
    expect(shown.body.channel.config).toMatchObject({ secret: "[hidden]", previousSecret: "[hidden]" });
    // The integrator has switched: the old secret is dropped and no longer verifies.
    expect((await put({ secret: "[hidden]", previousSecret: null })).status).toBe(200);
    expect(await post(ch.secret)).toBe(401);
    expect(await post(NEW_SECRET)).toBe(200);
  });
});
