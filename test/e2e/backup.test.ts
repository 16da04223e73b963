/**
 * Backups that restore: a populated gateway (`npm start`) is exported with `loopgate export`,
 * a second fresh gateway with the same master key imports the file with `loopgate import`, and
 * every D1 table is compared by reading both gateways' SQLite files directly, the sender
 * sessions by exporting the restored gateway again; the restored senders' next messages continue
 * their conversations. The source talks to a fake Anthropic API (so model calls leave usage rows);
 * the restored gateway answers with the offline echo model, whose "(turn N)" counts the
 * conversation it finds in the restored history.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeAnthropic, startFakeAnthropic } from "../fakes/anthropic-messages";
import { cliRunner } from "../support/cli-runner";
import { apiClient, type GatewayProcess, removeState, setupAdmin, startGateway, waitFor } from "../support/gateway-process";
import { startReceiver } from "../support/http-receiver";
import { postWebhook } from "../support/signed-webhook";

const SOURCE_PORT = 9650;
const TARGET_PORT = 9651;
const MASTER_KEY = "backup-e2e-master-key-0123456789abcdef";
const SECRET = "backup-e2e-webhook-secret-0123456789";
const BOT_TOKEN = "123456789:AAbackupE2eTelegramTokenSecret_xyz";
const PASSWORD = "correct horse battery staple";
const ANTHROPIC_KEY = "sk-ant-backup-e2e";
const env = { LOOPGATE_MASTER_KEY: MASTER_KEY };

type Row = Record<string, unknown>;
type Api = ReturnType<typeof apiClient>;

let source: GatewayProcess;
let target: GatewayProcess;
let sourceToken: string;
let sourceApi: Api;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let anthropic: FakeAnthropic;
let webhookChannel: { id: string; inboundUrl: string };
const work = mkdtempSync(join(tmpdir(), "loopgate-backup-"));
const { cli } = cliRunner(work);

/** The local D1 database of a gateway started with `npm start`: wrangler keeps it as one SQLite file. */
function openD1(stateDir: string): DatabaseSync {
  const dir = join(stateDir, "v3", "d1", "miniflare-D1DatabaseObject");
  const file = readdirSync(dir).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (!file) throw new Error(`no D1 database under ${dir}`);
  return new DatabaseSync(join(dir, file), { readOnly: true });
}

/** A table's rows in the order the export reads them: by primary key for a WITHOUT ROWID table (the gateway's record tables), else by rowid. */
function tableRows(db: DatabaseSync, table: string): Row[] {
  const created = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) as { sql: string };
  const key = (db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string; pk: number }[])
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => `"${c.name}"`);
  const order = /WITHOUT\s+ROWID\s*;?\s*$/i.test(created.sql) ? key.join(", ") : "rowid";
  return (db.prepare(`SELECT * FROM "${table}" ORDER BY ${order}`).all() as Row[]).map((r) => ({ ...r }));
}

function userTables(db: DatabaseSync): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[])
    .map((t) => t.name)
    .filter((n) => !/^(sqlite_|_cf_|d1_migrations$|loopgate_backup)/.test(n));
}

const repliesTo = (recipient: string) =>
  receiver.received.filter((r) => r.method === "POST" && JSON.parse(r.body).recipient === recipient).map((r) => JSON.parse(r.body).text as string);

async function say(url: string, sender: string, id: string, text: string, replyNumber: number): Promise<string> {
  expect((await postWebhook(url, SECRET, { messageId: id, sender: { id: sender, name: sender }, text })).status).toBe(200);
  await waitFor(async () => repliesTo(sender).length >= replyNumber, 60_000, `reply ${replyNumber} to ${sender}`);
  return repliesTo(sender)[replyNumber - 1]!;
}

async function chat(api: Api, text: string): Promise<string> {
  const res = await api<{ status: string; reply: string }>("POST", "/api/chat?wait=60", { text });
  expect(res.body.status).toBe("done");
  return res.body.reply;
}

beforeAll(async () => {
  receiver = await startReceiver();
  anthropic = await startFakeAnthropic({ apiKey: ANTHROPIC_KEY });
  source = await startGateway({ port: SOURCE_PORT, env: { ...env, ANTHROPIC_API_KEY: ANTHROPIC_KEY, ANTHROPIC_BASE_URL: anthropic.url } });
  ({ token: sourceToken, api: sourceApi } = await setupAdmin(source, "admin", PASSWORD));
});

afterAll(async () => {
  await source?.stop();
  await target?.stop();
  await receiver?.close();
  await anthropic?.close();
  if (source) removeState(source.stateDir);
  if (target) removeState(target.stateDir);
  rmSync(work, { recursive: true, force: true });
});

describe("loopgate export and import", () => {
  it("populates a gateway: two channel types, a paired sender, conversations, a job and usage", async () => {
    const created = await sourceApi<{ channel: { id: string; inboundUrl: string } }>("POST", "/api/channels", {
      type: "webhook",
      name: "support",
      policy: "pairing",
      config: { secret: SECRET, callbackUrl: `${receiver.url}/replies` },
    });
    expect(created.status).toBe(201);
    webhookChannel = { id: created.body.channel.id, inboundUrl: created.body.channel.inboundUrl.replace("localhost", "127.0.0.1") };
    const telegram = await sourceApi("POST", "/api/channels", { type: "telegram", name: "tg", policy: "pairing", config: { botToken: BOT_TOKEN } });
    expect(telegram.status).toBe(201);

    const invite = await sourceApi<{ code: string }>("POST", "/api/pairings", { channelId: webhookChannel.id });
    expect(await say(webhookChannel.inboundUrl, "alice", "a-0", `/pair ${invite.body.code}`, 1)).toContain("You are paired");
    for (const n of [1, 2, 3]) expect(await say(webhookChannel.inboundUrl, "alice", `a-${n}`, `question ${n}`, n + 1)).toContain(`you said "question ${n}"`);
    // An unpaired sender: a pending pairing request, and state in their own session object.
    expect(await say(webhookChannel.inboundUrl, "bob", "b-1", "hello?", 1)).toMatch(/pair/i);
    for (const n of [1, 2, 3]) expect(await chat(sourceApi, `web ${n}`)).toContain(`you said "web ${n}"`);

    const job = await sourceApi<{ job: { id: string } }>("POST", "/api/jobs", { name: "digest", cron: "0 3 * * *", steps: [{ prompt: "Summarise" }] });
    expect(job.status).toBe(201);
    expect((await sourceApi("POST", `/api/jobs/${job.body.job.id}/run`)).status).toBeLessThan(300);
    await waitFor(
      async () => {
        const runs = await sourceApi<{ runs: { status: string }[] }>("GET", `/api/jobs/${job.body.job.id}/runs`);
        return runs.body.runs.some((r) => r.status === "ok");
      },
      60_000,
      "the job's run",
    );
    const d1 = openD1(source.stateDir);
    for (const table of ["api_calls", "runs", "messages", "senders", "pairings", "sessions", "job_runs"]) {
      expect(tableRows(d1, table).length, table).toBeGreaterThan(0);
    }
    d1.close();
  });

  it("exports to one SQLite file with the channel secrets still sealed", async () => {
    const file = join(work, "backup.db");
    const res = await cli(["export", file, "--url", source.url, "--token", sourceToken]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain("sealed");
    expect(res.stdout).toContain("LOOPGATE_MASTER_KEY");

    const backup = new DatabaseSync(file, { readOnly: true });
    const configs = tableRows(backup, "channels").map((c) => String(c.config));
    expect(configs.join()).not.toContain(BOT_TOKEN);
    expect(configs.join()).not.toContain(SECRET);
    expect(configs.join()).toContain("enc:v2");
    // The file holds what the gateway held when it was read (auth_tokens aside: using a token stamps it).
    const live = openD1(source.stateDir);
    for (const table of userTables(live)) {
      if (table === "auth_tokens") continue;
      expect(tableRows(backup, table), table).toEqual(tableRows(live, table));
    }
    live.close();
    const history = tableRows(backup, "sender_history").filter((r) => r.session_sender_id === "alice");
    // One row per exchange, its turns in order.
    expect(history.flatMap((r) => (JSON.parse(String(r.turns)) as { role: string }[]).map((t) => t.role))).toEqual([
      "user",
      "assistant",
      "user",
      "assistant",
      "user",
      "assistant",
    ]);
    backup.close();

    const again = await cli(["export", file, "--url", source.url, "--token", sourceToken]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("exists");
  });

  it("refuses to import into a gateway that already has data", async () => {
    const res = await cli(["import", join(work, "backup.db"), "--url", source.url, "--token", sourceToken]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/already has data \(.*channels.*\)/);
    expect(res.stderr).toContain("--force");
  });

  it("imports into a fresh gateway with the same master key: every table equal, conversations continue", async () => {
    target = await startGateway({ port: TARGET_PORT, env });
    const { token } = await setupAdmin(target, "restorer", "another long password");
    const file = join(work, "backup.db");
    const res = await cli(["import", file, "--url", target.url, "--token", token]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain("LOOPGATE_MASTER_KEY");

    const backup = new DatabaseSync(file, { readOnly: true });
    const restored = openD1(target.stateDir);
    expect(userTables(restored)).toEqual(userTables(backup).filter((t) => !t.startsWith("sender_")));
    for (const table of userTables(restored)) {
      const rows = tableRows(restored, table);
      // The importing admin's own token stays valid beside the restored ones.
      if (table === "auth_tokens") expect(rows).toEqual(expect.arrayContaining(tableRows(backup, table)));
      else expect(rows, table).toEqual(tableRows(backup, table));
    }
    restored.close();

    // Importing twice changes nothing (with --force, since the gateway now has data).
    expect((await cli(["import", file, "--url", target.url, "--token", token, "--force"])).code).toBe(0);
    const second = join(work, "second.db");
    expect((await cli(["export", second, "--url", target.url, "--token", token])).code).toBe(0);
    const roundTrip = new DatabaseSync(second, { readOnly: true });
    for (const table of userTables(backup).filter((t) => t.startsWith("sender_"))) {
      expect(tableRows(roundTrip, table), table).toEqual(tableRows(backup, table));
    }
    roundTrip.close();
    backup.close();

    // The backup's admin logs in with the original password and continues the web conversation.
    const login = await apiClient(target.url)<{ token: string }>("POST", "/api/auth/login", { username: "admin", password: PASSWORD });
    expect(login.status).toBe(200);
    expect(await chat(apiClient(target.url, login.body.token), "web 4")).toContain("(turn 4)");
    // The paired sender writes to the restored gateway (same channel id, same sealed secret) and is still paired.
    const inbound = webhookChannel.inboundUrl.replace(`:${SOURCE_PORT}`, `:${TARGET_PORT}`);
    expect(await say(inbound, "alice", "a-4", "question 4", 5)).toContain("(turn 4) You said: question 4");
  });
});
