/**
 * The `loopgate` CLI as a user runs it: a subprocess against `npm start`, with its own config
 * directory. Proves login storage, idempotent apply, pairing approval, the live feed in the
 * terminal, parseable --json everywhere, and clear errors for bad flags and dead gateways.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliRunner } from "../support/cli-runner";
import { type GatewayProcess, removeState, setupAdmin, startGateway, waitFor } from "../support/gateway-process";
import { startReceiver } from "../support/http-receiver";
import { postWebhook } from "../support/signed-webhook";

const PORT = 8840;
const START_PORT = 8841;
const DEAD_URL = "http://127.0.0.1:8859";
const PASSWORD = "correct horse battery staple";

let gw: GatewayProcess;
let adminToken: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
/** The webhook channel the pairing test creates; the feed test sends through it. */
let pairingChannel: { inboundUrl: string; secret: string };

/** XDG_CONFIG_HOME of every run: where `login` stores its token (removed when the file ends). */
const configHome = mkdtempSync(join(tmpdir(), "loopgate-cli-home-"));
const { cli, cliJson, start: startCli } = cliRunner(configHome);

beforeAll(async () => {
  receiver = await startReceiver();
  gw = await startGateway({ port: PORT });
  adminToken = (await setupAdmin(gw, "admin", PASSWORD)).token;
});

afterAll(async () => {
  await gw?.stop();
  await receiver?.close();
  if (gw) removeState(gw.stateDir);
  rmSync(configHome, { recursive: true, force: true });
});

describe("loopgate CLI against a running gateway", () => {
  it("logs in with a password, stores a token only its user can read, and status shows the admin", async () => {
    const login = await cli(["login", "--url", gw.url, "--username", "admin", "--password-stdin"], { input: `${PASSWORD}\n` });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain(`Logged in to ${gw.url} as admin`);
    const file = join(configHome, "loopgate", "credentials.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const status = await cliJson<{ user: string; tokenSource: string; status: string; url: string }>(["status"]);
    expect(status).toMatchObject({ url: gw.url, status: "ok", user: "admin", tokenSource: "stored login" });

    const wrong = await cli(["login", "--url", gw.url, "--username", "admin", "--password-stdin"], { input: "not the password\n" });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toContain("invalid username or password");
  });

  it("applies a config file, and a second run changes nothing and says so", async () => {
    const path = join(configHome, "loopgate.config.json");
    writeFileSync(
      path,
      JSON.stringify({
        channels: [
          {
            name: "crm",
            type: "webhook",
            policy: "allowlist",
            allowlist: ["alice", "bob"],
            config: { callbackUrl: `${receiver.url}/crm`, secret: "${CRM_SECRET}" },
          },
          { name: "ops", type: "webhook", rateLimitPerMinute: 5, config: { callbackUrl: `${receiver.url}/ops` } },
        ],
      }),
    );
    const env = { CRM_SECRET: "crm-secret-0123456789" };
    const first = await cliJson<{ changed: boolean; created: number; generatedSecrets: Record<string, unknown> }>(["apply", "--config", path], env);
    expect(first).toMatchObject({ changed: true, created: 2, updated: 0 });
    expect(Object.keys(first.generatedSecrets)).toEqual(["ops"]);

    const again = await cli(["apply", "--config", path], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("No changes: 2 channels already match the file.");
    const againJson = await cliJson<{ changed: boolean; actions: { kind: string }[] }>(["apply", "--config", path], env);
    expect(againJson.changed).toBe(false);
    expect(againJson.actions.map((a) => a.kind)).toEqual(["unchanged", "unchanged"]);

    const listed = await cliJson<{ channels: { name: string; policy: string; allowlist: string[]; rateLimitPerMinute: number | null }[] }>([
      "channels",
      "list",
    ]);
    expect(listed.channels.find((c) => c.name === "crm")).toMatchObject({ policy: "allowlist", allowlist: ["alice", "bob"] });
    expect(listed.channels.find((c) => c.name === "ops")).toMatchObject({ policy: "pairing", rateLimitPerMinute: 5 });

    // An edit is applied as an update of exactly that field.
    writeFileSync(
      path,
      JSON.stringify({ channels: [{ name: "ops", type: "webhook", rateLimitPerMinute: 9, config: { callbackUrl: `${receiver.url}/ops` } }] }),
    );
    const edited = await cliJson<{ actions: { kind: string; name: string; changes?: string[] }[] }>(["apply", "--config", path], env);
    expect(edited.actions).toEqual([expect.objectContaining({ kind: "update", name: "ops", changes: ["rateLimitPerMinute"] })]);

    // An invalid file changes nothing and names the field.
    writeFileSync(path, JSON.stringify({ channels: [{ name: "ops", type: "webhook", policy: "everyone", config: {} }] }));
    const bad = await cli(["apply", "--config", path]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/channels\.0\.policy/);
    writeFileSync(path, JSON.stringify({ channels: [{ name: "new", type: "webhook", config: { callbackUrl: "not a url" } }] }));
    const badConfig = await cli(["apply", "--config", path]);
    expect(badConfig.code).toBe(1);
    expect(badConfig.stderr).toContain('channels[0] "new": invalid webhook config: callbackUrl');
    expect((await cliJson<{ channels: unknown[] }>(["channels", "list"])).channels).toHaveLength(2);
  });

  it("approves a pairing: a new sender's code shows in `pairing list`, `pairing approve` pairs them", async () => {
    const added = await cliJson<{ channel: { id: string; inboundUrl: string; policy: string }; generatedSecrets: { secret: string } }>([
      "channels",
      "add",
      "--type",
      "webhook",
      "--name",
      "pairing-test",
      "--set",
      `callbackUrl=${receiver.url}/pair`,
    ]);
    expect(added.channel.policy).toBe("pairing");
    pairingChannel = { inboundUrl: added.channel.inboundUrl.replace("localhost", "127.0.0.1"), secret: added.generatedSecrets.secret };
    const res = await postWebhook(pairingChannel.inboundUrl, pairingChannel.secret, {
      messageId: "m-1",
      sender: { id: "carol", name: "Carol" },
      text: "hello",
    });
    expect(res.status).toBe(200);

    let code = "";
    await waitFor(
      async () => {
        const { pairings } = await cliJson<{ pairings: { code: string; senderId: string; status: string }[] }>(["pairing", "list", "--status", "pending"]);
        code = pairings.find((p) => p.senderId === "carol")?.code ?? "";
        return code !== "";
      },
      30_000,
      "a pending pairing code for carol",
    );

    const table = await cli(["pairing", "list"]);
    expect(table.stdout).toMatch(new RegExp(`${code}\\s+pending\\s+${added.channel.id}\\s+carol`));

    const approved = await cli(["pairing", "approve", code.toLowerCase()]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain(`Approved: sender carol on channel ${added.channel.id}`);
    const { senders } = await cliJson<{ senders: { senderId: string; status: string }[] }>(["senders", "list", "--channel", "pairing-test"]);
    expect(senders).toEqual([expect.objectContaining({ senderId: "carol", status: "paired" })]);

    const twice = await cli(["pairing", "approve", code]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain("already approved");
  });

  it("follows the live feed while a message arrives (NDJSON with --json)", async () => {
    const follower = startCli(["logs", "--follow", "--json", "-n", "0"]);
    let stdout = "";
    let stderr = "";
    follower.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    follower.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    try {
      // No pause for the socket to open: what arrives before it does is fetched from the backlog once it is open.
      await waitFor(async () => stderr.includes("Following the live feed"), 20_000, "the follower to start");
      const text = `live ${Date.now()}`;
      const res = await postWebhook(pairingChannel.inboundUrl, pairingChannel.secret, { messageId: `m-${Date.now()}`, sender: { id: "carol" }, text });
      expect(res.status).toBe(200);
      await waitFor(async () => stdout.includes(text), 30_000, `the message in the followed feed\n${stdout}\n${stderr}`);
      const events = stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { kind: string; detail: { text?: string } });
      expect(events.some((e) => e.kind === "message.received" && e.detail.text === text)).toBe(true);
    } finally {
      follower.kill("SIGINT");
    }

    const backlog = await cli(["logs", "-n", "5", "--kind", "message.received"]);
    expect(backlog.code).toBe(0);
    expect(backlog.stdout).toMatch(/message\.received\s+\S+\s+carol\s+.*text="live/);
  });

  it("schedules a job, pauses and resumes it, runs it now and lists its runs", async () => {
    const added = await cliJson<{ job: { id: string; status: string; nextRuns: number[] } }>([
      "jobs",
      "add",
      "--name",
      "digest",
      "--cron",
      "0 9 * * MON-FRI",
      "--timezone",
      "UTC",
      "--prompt",
      "Summarise the day",
      "--deliver-to",
      "ops:alice",
    ]);
    expect(added.job.status).toBe("active");
    expect(new Date(added.job.nextRuns[0]!).getUTCHours()).toBe(9);

    const paused = await cli(["jobs", "pause", "digest"]);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toContain("Paused digest");
    expect((await cliJson<{ jobs: { name: string; status: string }[] }>(["jobs", "list"])).jobs).toEqual([
      expect.objectContaining({ name: "digest", status: "paused" }),
    ]);
    expect((await cli(["jobs", "list"])).stdout).toMatch(/digest\s+0 9 \* \* MON-FRI\s+UTC\s+paused/);

    const resumed = await cliJson<{ job: { status: string; nextRuns: number[] } }>(["jobs", "resume", added.job.id]);
    expect(resumed.job.status).toBe("active");
    expect(resumed.job.nextRuns.length).toBeGreaterThan(0);

    const run = await cli(["jobs", "run", "digest", "--wait"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/Running digest \(run jrun_/);
    const { runs } = await cliJson<{ runs: { trigger: string; status: string; output: string | null }[] }>(["jobs", "runs", "digest"]);
    expect(runs[0]).toMatchObject({ trigger: "manual", status: "ok" });
    expect(runs[0]?.output).toBeTruthy();

    const bad = await cli(["jobs", "add", "--name", "x", "--cron", "61 * * * *", "--prompt", "p"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/cron: /);
    const noPrompt = await cli(["jobs", "add", "--name", "x", "--cron", "* * * * *"]);
    expect(noPrompt.code).toBe(2);
    expect(noPrompt.stderr).toContain("--prompt: at least one step is required");
  });

  it("starts a loop task, follows it to the end and reads its output", async () => {
    const started = await cli(["tasks", "start", "--name", "count", "--prompt", "Count to three", "--max-iterations", "2", "--wait"]);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stderr).toContain("iteration 2/2");
    const { tasks } = await cliJson<{ tasks: { id: number; name: string; status: string; iterations: number }[] }>(["tasks", "list"]);
    const task = tasks.find((t) => t.name === "count")!;
    expect(task).toMatchObject({ iterations: 2 });
    expect(task.status).not.toBe("running");
    const output = await cliJson<{ output: string | null; transcript: string }>(["tasks", "output", String(task.id)]);
    expect(output.transcript).toContain("--- iteration 2");
    const stopped = await cli(["tasks", "stop", String(task.id)]);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain("is not running");
    expect((await cliJson<{ deleted: number }>(["tasks", "remove", String(task.id)])).deleted).toBe(task.id);
  });

  it("every command's --json output parses", async () => {
    const results = [
      await cliJson(["status"]),
      await cliJson(["channels", "list"]),
      await cliJson(["channels", "types"]),
      await cliJson(["channels", "setup", "ops"]),
      await cliJson(["pairing", "list"]),
      await cliJson(["pairing", "invite", "--channel", "ops", "--ttl-minutes", "5"]),
      await cliJson(["senders", "list"]),
      await cliJson(["logs", "-n", "3"]),
      await cliJson(["jobs", "list"]),
      await cliJson(["jobs", "runs", "digest", "-n", "5"]),
      await cliJson(["jobs", "run", "digest"]),
      await cliJson(["tasks", "list"]),
      await cliJson(["usage"]),
      await cliJson(["usage", "--daily"]),
      await cliJson(["usage", "--models", "--from", "2020-01-01"]),
      await cliJson(["usage", "--channels", "--channel", "ops"]),
      await cliJson(["jobs", "remove", "digest"]),
      await cliJson(["channels", "remove", "crm"]),
    ];
    expect(results.every((r) => typeof r === "object" && r !== null)).toBe(true);
    expect(results[5]).toMatchObject({ code: expect.stringMatching(/^[A-Z0-9]{6}$/) });
    expect(results.find((r) => "totals" in r)).toMatchObject({ totals: { calls: expect.any(Number) }, budgets: expect.any(Object) });
    // The token from setup works through the environment as well as the stored login.
    expect(await cliJson(["senders", "list"], { LOOPGATE_TOKEN: adminToken })).toHaveProperty("senders");
  });

  it("rejects bad flags and arguments with a usage error naming the fix", async () => {
    const cases: [string[], RegExp][] = [
      [["channels", "list", "--bogus"], /unknown option --bogus[\s\S]*loopgate channels list --help/],
      [["pairing", "approve"], /missing CODE/],
      [["pairing", "list", "--status", "maybe"], /--status must be one of pending, approved/],
      [["start", "--port", "eighty"], /--port must be a whole number from 1 to 65535/],
      [["start", "--log-level", "loud"], /--log-level must be one of debug, info, warn, error/],
      [["channels", "frobnicate"], /unknown command `loopgate channels frobnicate`; known: list/],
      [["launch"], /unknown command "launch"/],
      [["logs", "--limit"], /option --limit needs a value/],
      [["usage", "--daily", "--models"], /choose one of --daily, --models, --channels/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(message);
    }
  });

  it("says clearly when the gateway cannot be reached or the token is refused", async () => {
    const dead = await cli(["channels", "list", "--url", DEAD_URL, "--token", "x"]);
    expect(dead.code).toBe(3);
    expect(dead.stderr).toContain(`cannot reach the gateway at ${DEAD_URL} (connection refused)`);
    const deadJson = await cli(["status", "--url", DEAD_URL, "--json"]);
    expect(deadJson.code).toBe(3);
    expect(JSON.parse(deadJson.stderr)).toMatchObject({ exitCode: 3, error: expect.stringContaining("cannot reach") });

    const refused = await cli(["channels", "list", "--token", "lg_not-a-real-token"]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/refused the token[\s\S]*loopgate login/);
    const none = await cli(["channels", "list", "--url", "http://127.0.0.1:8858"], {
      env: { XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), "loopgate-empty-")) },
    });
    expect(none.code).toBe(4);
    expect(none.stderr).toContain("not logged in to http://127.0.0.1:8858");
  });

  it("has --help on every command", async () => {
    const top = await cli(["--help"]);
    const commands = [...top.stdout.matchAll(/^ {2}([a-z]+(?: [a-z]+)?)(?= )/gm)].map((m) => m[1]!.split(" "));
    expect(commands.length).toBeGreaterThan(15);
    for (const words of commands) {
      const r = await cli([...words, "--help"]);
      expect(r.code, words.join(" ")).toBe(0);
      expect(r.stdout).toContain(`Usage: loopgate ${words.join(" ")}`);
    }
  });

  it("logs out: the token is revoked on the gateway and forgotten here", async () => {
    const stored = await cliJson<{ tokenSource: string }>(["status"]);
    expect(stored.tokenSource).toBe("stored login");
    const out = await cli(["logout", "--url", gw.url]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain("the token was revoked");
    const after = await cli(["channels", "list", "--url", gw.url]);
    expect(after.code).toBe(4);
    expect(after.stderr).toContain(`not logged in to ${gw.url}`);
  });
});

describe("loopgate start", () => {
  it("runs the gateway like npm start, on the port and host it is given", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "loopgate-cli-start-"));
    const child = startCli(["start", "--port", String(START_PORT), "--host", "127.0.0.1", "--log-level", "warn", "--state-dir", stateDir], {
      env: { LOOPGATE_SETUP_TOKEN: "cli-start-token" },
      detached: true,
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${START_PORT}/api/health`)).ok, 90_000, `loopgate start on ${START_PORT}\n${output}`);
      const status = await cliJson<{ status: string; setupRequired: boolean }>(["status", "--url", `http://127.0.0.1:${START_PORT}`]);
      expect(status).toMatchObject({ status: "ok", setupRequired: true });
      await waitFor(async () => output.includes(`Loopgate is running at http://localhost:${START_PORT}`), 10_000, "the start banner");
      // Ctrl-C on the CLI stops the gateway it started.
      child.kill("SIGINT");
      await exited;
      await expect(fetch(`http://127.0.0.1:${START_PORT}/api/health`)).rejects.toThrow();
    } finally {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
