/**
 * The CLI's bridge, token and usage commands and `apply` with scheduled jobs and channel agent
 * settings, as a user runs them: the CLI as a subprocess against `npm start`, the bridge as a
 * process started with exactly what `bridge token` printed, the model behind the real SDK
 * pointed at the fake Messages API.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeAnthropic, startFakeAnthropic } from "../fakes/anthropic-messages";
import { type BridgeProcess, startBridge } from "../support/bridge-process";
import { type CliRunner, cliRunner } from "../support/cli-runner";
import { type GatewayProcess, removeState, setupAdmin, startGateway, waitFor } from "../support/gateway-process";
import { startReceiver } from "../support/http-receiver";

const PORT = 8960;
const KEY = "sk-ant-e2e-cli-8960";

interface Job {
  id: string;
  name: string;
  cron: string;
  timezone: string;
  updatedAt: number;
  deliverTo: { channelId: string; recipient: string } | null;
}
interface Channel {
  id: string;
  name: string;
  agent: { model?: string; maxTokens?: number } | null;
}
interface ApplyResult {
  changed: boolean;
  created: number;
  updated: number;
  channels: Record<string, number>;
  jobs: Record<string, number>;
  actions: { kind: string; resource: string; name: string; changes?: string[] }[];
}

let gw: GatewayProcess;
let fake: FakeAnthropic;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let home: string;
let run: CliRunner;
const bridges: BridgeProcess[] = [];

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "loopgate-cli-bj-"));
  receiver = await startReceiver();
  fake = await startFakeAnthropic({ apiKey: KEY, minCacheableTokens: 256 });
  // Many CLI calls in a row: the per-IP API limit is for people, not for this.
  gw = await startGateway({
    port: PORT,
    env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url, AGENT_RETRY_BASE_MS: "50", API_RATE_LIMIT_PER_MINUTE: "100000" },
  });
  const { token } = await setupAdmin(gw);
  run = cliRunner(home, { LOOPGATE_URL: gw.url, LOOPGATE_TOKEN: token });
});

afterAll(async () => {
  for (const b of bridges) await b.stop();
  await gw?.stop();
  await fake?.close();
  await receiver?.close();
  if (gw) removeState(gw.stateDir);
  rmSync(home, { recursive: true, force: true });
});

describe("loopgate bridge", () => {
  it("mints a token shown once that the bridge connects with, lists it without the token, and revokes it", async () => {
    const minted = await run.cliJson<{ bridge: { id: string; name: string }; token: string; run: { env: Record<string, string>; command: string } }>([
      "bridge",
      "token",
      "vps-1",
    ]);
    expect(minted.token).toMatch(/^lgb_/);
    expect(minted.run).toEqual({ env: { LOOPGATE_URL: gw.url, LOOPGATE_BRIDGE_TOKEN: minted.token }, command: "npm run bridge" });

    const text = await run.cli(["bridge", "token", "spare"]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`LOOPGATE_URL=${gw.url} LOOPGATE_BRIDGE_TOKEN=lgb_\\S+ npm run bridge`));
    expect(text.stdout).toContain("shown only now");

    // The bridge's own endpoint accepts the token (a plain GET gets as far as "expected a WebSocket upgrade").
    const auth = await fetch(`${gw.url}/bridge/connect`, { headers: { authorization: `Bearer ${minted.token}` } });
    expect(auth.status).toBe(426);

    // Started with exactly the environment the CLI printed, the bridge connects.
    const dataDir = mkdtempSync(join(home, "bridge-"));
    const bridge = startBridge({ url: minted.run.env.LOOPGATE_URL!, token: minted.run.env.LOOPGATE_BRIDGE_TOKEN!, dataDir, heartbeatMs: 1000 });
    bridges.push(bridge);
    type Listed = { bridges: { id: string; name: string; status: string; connected: boolean }[] };
    await waitFor(
      async () => (await run.cliJson<Listed>(["bridge", "list"])).bridges.some((b) => b.id === minted.bridge.id && b.connected),
      60_000,
      `the bridge to connect\n${bridge.output()}`,
    );

    const listedText = await run.cli(["bridge", "list"]);
    expect(listedText.stdout).toMatch(new RegExp(`${minted.bridge.id}\\s+vps-1\\s+up\\s+yes`));
    const listedJson = await run.cli(["bridge", "list", "--json"]);
    for (const out of [listedText.stdout, listedJson.stdout]) {
      expect(out).not.toContain(minted.token);
      expect(out).not.toContain("tokenHash");
    }

    const dropped = await run.cliJson<{ wasConnected: boolean }>(["bridge", "disconnect", "vps-1"]);
    expect(dropped.wasConnected).toBe(true);
    // It dials back in by itself.
    await waitFor(
      async () => (await run.cliJson<Listed>(["bridge", "list"])).bridges.some((b) => b.id === minted.bridge.id && b.connected),
      60_000,
      "the bridge to reconnect",
    );

    const revoked = await run.cli(["bridge", "revoke", "vps-1"]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`Revoked bridge vps-1 (${minted.bridge.id})`);
    expect((await fetch(`${gw.url}/bridge/connect`, { headers: { authorization: `Bearer ${minted.token}` } })).status).toBe(401);
    const after = await run.cliJson<Listed>(["bridge", "list"]);
    expect(after.bridges.map((b) => b.name)).toEqual(["spare"]);

    const unknown = await run.cli(["bridge", "revoke", "vps-1"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no bridge with id or name "vps-1"');
  });
});

describe("loopgate apply with jobs and agent settings", () => {
  const path = () => join(home, "loopgate.config.json");
  const write = (doc: unknown) => writeFileSync(path(), JSON.stringify(doc));
  const ops = (agent?: unknown) => ({
    name: "ops",
    type: "webhook",
    ...(agent ? { agent } : {}),
    config: { callbackUrl: `${receiver.url}/ops`, secret: "ops-secret-0123456789" },
  });
  const digest = (cron: string) => ({
    name: "digest",
    cron,
    timezone: "Europe/Paris",
    steps: [{ prompt: "Summarise the day." }, { prompt: "Shorten it." }],
    deliverTo: { channelId: "ops", recipient: "alice" },
  });
  const weekly = { name: "weekly", cron: "0 8 * * MON", steps: [{ prompt: "Plan the week." }], retry: { attempts: 2 } };
  const jobs = async () => (await run.cliJson<{ jobs: Job[] }>(["jobs", "list"])).jobs;
  const channel = async (name: string) => (await run.cliJson<{ channels: Channel[] }>(["channels", "list"])).channels.find((c) => c.name === name);

  it("creates jobs (delivering to a channel named in the file), and a second run changes nothing", async () => {
    write({ channels: [ops({ model: "claude-haiku-4-5", maxTokens: 512 })], jobs: [digest("0 9 * * *"), weekly] });
    const first = await run.cliJson<ApplyResult>(["apply", "--config", path()]);
    expect(first).toMatchObject({ changed: true, channels: { created: 1 }, jobs: { created: 2 } });
    const created = await jobs();
    const opsChannel = (await channel("ops"))!;
    expect(opsChannel.agent).toEqual({ model: "claude-haiku-4-5", maxTokens: 512 });
    expect(created.find((j) => j.name === "digest")).toMatchObject({
      cron: "0 9 * * *",
      timezone: "Europe/Paris",
      deliverTo: { channelId: opsChannel.id, recipient: "alice" },
    });

    const again = await run.cli(["apply", "--config", path()]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("No changes: 1 channel and 2 jobs already match the file.");
    const againJson = await run.cliJson<ApplyResult>(["apply", "--config", path()]);
    expect(againJson.changed).toBe(false);
    expect(againJson.actions.map((a) => `${a.kind}:${a.resource}:${a.name}`)).toEqual([
      "unchanged:channel:ops",
      "unchanged:job:digest",
      "unchanged:job:weekly",
    ]);
    expect(await jobs()).toEqual(created);
  });

  it("an edit to one job's cron updates exactly that job and field; agent settings are compared too", async () => {
    const before = await jobs();
    write({ channels: [ops({ model: "claude-haiku-4-5", maxTokens: 512 })], jobs: [digest("30 7 * * MON-FRI"), weekly] });
    const dry = await run.cliJson<ApplyResult>(["apply", "--config", path(), "--dry-run"]);
    expect(dry.changed).toBe(false);
    expect(await jobs()).toEqual(before);

    const edited = await run.cliJson<ApplyResult>(["apply", "--config", path()]);
    expect(edited.actions.filter((a) => a.kind !== "unchanged")).toEqual([
      { kind: "update", resource: "job", name: "digest", id: before.find((j) => j.name === "digest")!.id, changes: ["cron"] },
    ]);
    const after = await jobs();
    expect(after.find((j) => j.name === "digest")).toMatchObject({
      id: before.find((j) => j.name === "digest")!.id,
      cron: "30 7 * * MON-FRI",
      timezone: "Europe/Paris",
    });
    expect(after.find((j) => j.name === "weekly")).toEqual(before.find((j) => j.name === "weekly"));

    write({ channels: [ops({ model: "claude-sonnet-4-5" })], jobs: [digest("30 7 * * MON-FRI"), weekly] });
    const agent = await run.cliJson<ApplyResult>(["apply", "--config", path()]);
    expect(agent.actions.filter((a) => a.kind !== "unchanged")).toEqual([
      expect.objectContaining({ kind: "update", resource: "channel", name: "ops", changes: ["agent"] }),
    ]);
    expect((await channel("ops"))!.agent).toEqual({ model: "claude-sonnet-4-5" });
    write({ channels: [ops()], jobs: [digest("30 7 * * MON-FRI"), weekly] });
    await run.cliJson<ApplyResult>(["apply", "--config", path()]);
    expect((await channel("ops"))!.agent).toBeNull();
  });

  it("removes jobs the file drops only with --prune-jobs", async () => {
    write({ channels: [ops()], jobs: [digest("30 7 * * MON-FRI")] });
    expect((await run.cliJson<ApplyResult>(["apply", "--config", path()])).changed).toBe(false);
    expect((await jobs()).map((j) => j.name).sort()).toEqual(["digest", "weekly"]);
    const pruned = await run.cliJson<ApplyResult>(["apply", "--config", path(), "--prune-jobs"]);
    expect(pruned.actions.filter((a) => a.kind !== "unchanged")).toEqual([expect.objectContaining({ kind: "remove", resource: "job", name: "weekly" })]);
    expect((await jobs()).map((j) => j.name)).toEqual(["digest"]);
  });

  it("refuses a bad job, an unknown delivery channel and budgets, changing nothing", async () => {
    const before = await jobs();
    const cases: [unknown, RegExp][] = [
      [{ jobs: [{ name: "x", cron: "61 * * * *", steps: [{ prompt: "p" }] }] }, /jobs\.0\.cron: /],
      [{ jobs: [{ name: "x", cron: "* * * * *", steps: [{ prompt: "p" }], schedule: "daily" }] }, /schedule/],
      [
        { jobs: [{ name: "x", cron: "* * * * *", steps: [{ prompt: "p" }], deliverTo: { channelId: "nowhere", recipient: "a" } }] },
        /deliverTo\.channelId "nowhere" is neither/,
      ],
      [{ channels: [ops({ temperature: 2 })] }, /channels\.0\.agent/],
      [{ budgets: { accountDailyCostLimitUsd: 5 } }, /budgets are gateway settings[\s\S]*ACCOUNT_DAILY_COST_LIMIT_USD/],
    ];
    for (const [doc, message] of cases) {
      write(doc);
      const r = await run.cli(["apply", "--config", path()]);
      expect(r.code, JSON.stringify(doc)).toBe(1);
      expect(r.stderr, JSON.stringify(doc)).toMatch(message);
    }
    expect(await jobs()).toEqual(before);
  });
});

describe("tokens, usage views, chat and messages", () => {
  it("creates, lists and revokes an API token; the token works until revoked", async () => {
    const minted = await run.cliJson<{ id: string; token: string; name: string; expiresAt: number | null }>([
      "tokens",
      "create",
      "ci",
      "--expires-in-days",
      "7",
    ]);
    expect(minted.token).toMatch(/^lg_/);
    expect(minted.expiresAt).toBeGreaterThan(Date.now());
    const listed = await run.cli(["tokens", "list", "--json"]);
    expect(listed.stdout).not.toContain(minted.token);
    expect((JSON.parse(listed.stdout) as { tokens: { id: string; name: string }[] }).tokens).toContainEqual(
      expect.objectContaining({ id: minted.id, name: "ci" }),
    );
    expect((await run.cli(["jobs", "list"], { env: { LOOPGATE_TOKEN: minted.token } })).code).toBe(0);

    expect(await run.cliJson(["tokens", "revoke", "ci"])).toMatchObject({ ok: true, id: minted.id });
    const refused = await run.cli(["jobs", "list"], { env: { LOOPGATE_TOKEN: minted.token } });
    expect(refused.code).toBe(4);
  });

  it("shows a job run's model calls per sender, as recent calls, and what the cache saved", async () => {
    const ran = await run.cli(["jobs", "run", "digest", "--wait"]);
    expect(ran.code, ran.stderr).toBe(0);
    const served = fake.answered().length;
    expect(served).toBe(2);
    const jobId = (await run.cliJson<{ jobs: Job[] }>(["jobs", "list"])).jobs[0]!.id;

    const senders = await run.cliJson<{ senders: { channelId: string; senderId: string; calls: number }[] }>(["usage", "--senders"]);
    expect(senders.senders).toEqual([expect.objectContaining({ channelId: "scheduler", senderId: `job:${jobId}`, calls: served })]);
    const calls = await run.cliJson<{ calls: { senderId: string; status: string }[] }>(["usage", "--calls", "-n", "1", "--sender", `job:${jobId}`]);
    expect(calls.calls).toEqual([expect.objectContaining({ senderId: `job:${jobId}`, status: "ok" })]);
    const cache = await run.cliJson<{ hitRatio: number; costUsd: number; costWithoutCacheUsd: number; models: unknown[] }>(["usage", "--cache"]);
    expect(cache.costUsd).toBeGreaterThan(0);
    expect(cache.costWithoutCacheUsd).toBeGreaterThanOrEqual(cache.costUsd);
    expect(cache.models).toHaveLength(1);
    const table = await run.cli(["usage", "--senders"]);
    expect(table.stdout).toMatch(new RegExp(`scheduler\\s+job:${jobId}\\s+${served}\\s`));
  });

  it("chats with the agent through the web channel and reads the messages back", async () => {
    const before = fake.answered().length;
    const reply = await run.cliJson<{ status: string; messageId: string; reply: string; kind: string }>(["chat", "What is on today?", "--wait", "60"]);
    expect(reply).toMatchObject({ status: "done", kind: "reply", reply: expect.any(String) });
    expect(reply.reply.length).toBeGreaterThan(0);
    expect(fake.answered().length).toBe(before + 1);
    const text = await run.cli(["chat", "And tomorrow?"]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.trim().length).toBeGreaterThan(0);

    const { messages } = await run.cliJson<{ messages: { id: string; direction: string; text: string; channelId: string }[] }>([
      "messages",
      "--channel",
      "web",
      "-n",
      "10",
    ]);
    expect(messages.find((m) => m.id === reply.messageId)).toMatchObject({ direction: "in", text: "What is on today?", channelId: "web" });
    expect(messages.find((m) => m.id === `${reply.messageId}:out`)).toMatchObject({ direction: "out", text: reply.reply });
    expect((await run.cli(["messages", "--channel", "web"])).stdout).toMatch(/web\s+admin:admin\s+in\s+accepted\s+What is on today\?/);
  });

  it("rejects bad flags on the new commands with exit 2", async () => {
    const cases: [string[], RegExp][] = [
      [["bridge", "token"], /missing NAME/],
      [["bridge", "list", "--all"], /unknown option --all/],
      [["bridge", "revoke", "a", "b"], /unexpected argument "b"/],
      [["tokens", "create", "ci", "--expires-in-days", "0"], /--expires-in-days must be a whole number from 1 to 3650/],
      [["tokens", "frobnicate"], /unknown command `loopgate tokens frobnicate`; known: list, create, revoke/],
      [["usage", "--senders", "--cache"], /choose one of --daily, --models, --channels, --senders, --cache, --calls/],
      [["usage", "-n", "5"], /--limit goes with --senders or --calls/],
      [["usage", "--calls", "-n", "9999"], /--limit must be a whole number from 1 to 500/],
      [["apply", "--prune-jobs=yes"], /option --prune-jobs takes no value/],
      [["chat"], /missing TEXT/],
      [["chat", "hi", "--wait", "soon"], /--wait must be a whole number from 0 to 600/],
      [["messages", "-n", "0"], /--limit must be a whole number from 1 to 500/],
    ];
    for (const [args, message] of cases) {
      const r = await run.cli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(message);
    }
    for (const words of [
      ["bridge", "token"],
      ["bridge", "list"],
      ["bridge", "disconnect"],
      ["bridge", "revoke"],
      ["tokens", "list"],
      ["tokens", "create"],
      ["tokens", "revoke"],
      ["chat"],
      ["messages"],
    ]) {
      const help = await run.cli([...words, "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: loopgate ${words.join(" ")}`);
    }
    expect((await run.cli(["bridge", "--help"])).stdout).toMatch(/bridge token NAME[\s\S]*bridge revoke BRIDGE/);
  });
});
