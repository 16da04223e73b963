/**
 * `loopgate start --config FILE` as a user runs it: a bad file stops it before anything starts,
 * naming the file, line and field; a good file's settings reach the gateway, and its channels
 * and jobs are applied as soon as an admin is logged in (here: `loopgate setup` run in another
 * terminal while start waits), with the admin's own login.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliRunner } from "../support/cli-runner";
import { apiClient, waitFor } from "../support/gateway-process";

const PORT = 9451;
const URL = `http://127.0.0.1:${PORT}`;
const SETUP_TOKEN = "start-config-setup-token";

describe("loopgate start --config", () => {
  const dir = mkdtempSync(join(tmpdir(), "loopgate-start-config-"));
  const { cli, start } = cliRunner(join(dir, "config-home"), { CRM_CALLBACK: "https://crm.example/loopgate" });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses a bad file before starting, naming the file, line and field", async () => {
    const path = join(dir, "bad.json");
    writeFileSync(path, ["{", '  "channels": [', '    { "name": "crm", "type": "webhook", "policy": "everyone" }', "  ]", "}"].join("\n"));
    const r = await cli(["start", "--port", String(PORT), "--config", path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path}:3: channels.0.policy:`);
    await expect(fetch(`${URL}/api/health`)).rejects.toThrow();
  });

  it("starts with the file's settings and applies its channels and jobs once an admin logs in", async () => {
    const path = join(dir, "loopgate.json");
    writeFileSync(
      path,
      JSON.stringify(
        {
          // A key that is never used (no message is sent): with it, /api/health shows the configured model.
          settings: { ANTHROPIC_API_KEY: "sk-ant-test-never-used", AGENT_MODEL: "claude-haiku-5", SENDER_DAILY_COST_LIMIT_USD: 2 },
          channels: [{ name: "crm", type: "webhook", policy: "open", config: { callbackUrl: "${CRM_CALLBACK}" } }],
          jobs: [{ name: "digest", cron: "0 8 * * *", steps: [{ prompt: "Summarise yesterday" }], deliverTo: { channelId: "crm", recipient: "ops" } }],
        },
        null,
        2,
      ),
    );
    const stateDir = join(dir, "state");
    const child = start(["start", "--port", String(PORT), "--state-dir", stateDir, "--config", path], {
      env: { LOOPGATE_SETUP_TOKEN: SETUP_TOKEN },
      detached: true,
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise<void>((r) => child.on("exit", () => r()));
    try {
      await waitFor(async () => output.includes("is applied as soon as an admin"), 120_000, `start waiting for an admin\n${output}`);
      const setup = await cli(["setup", "--url", URL, "--setup-token", SETUP_TOKEN, "--username", "admin", "--password-stdin"], {
        input: "correct horse battery staple\n",
      });
      expect(setup.code, setup.stderr).toBe(0);
      await waitFor(async () => output.includes("Applied: 2 created"), 120_000, `the file applied\n${output}`);

      const minted = await cli(["tokens", "create", "check", "--url", URL, "--json"]);
      expect(minted.code, minted.stderr).toBe(0);
      const token = (JSON.parse(minted.stdout) as { token: string }).token;
      const api = apiClient(URL, token);
      // The file's settings reached the gateway (the detailed health needs a login).
      expect((await api("GET", "/api/health/details")).body).toMatchObject({ model: { mode: "anthropic", name: "claude-haiku-5" } });
      const channels = await api<{ channels: { name: string; type: string; policy: string }[] }>("GET", "/api/channels");
      expect(channels.body.channels).toContainEqual(expect.objectContaining({ name: "crm", type: "webhook", policy: "open" }));
      const jobs = await api<{ jobs: { name: string }[] }>("GET", "/api/jobs");
      expect(jobs.body.jobs.map((j) => j.name)).toEqual(["digest"]);
    } finally {
      child.kill("SIGINT");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }
  });
});
