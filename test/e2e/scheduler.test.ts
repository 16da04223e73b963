/**
 * Jobs and loop tasks as a user runs them: `npm start`, the Cron heartbeat triggered through
 * wrangler's scheduled endpoint, the offline echo model, a real callback receiver for the
 * delivered result, and a restart on the same state.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, removeState, setupAdmin, startGateway, waitFor, type GatewayProcess } from "../support/gateway-process";
import { startReceiver } from "../support/http-receiver";

const PORT = 8780;
const MINUTE = 60_000;
let gw: GatewayProcess;
let api: ReturnType<typeof apiClient>;
let stateDir: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

interface Job {
  id: string;
  nextRunAt: number;
}
interface Run {
  scheduledFor: number;
  status: string;
  trigger: string;
  output: string | null;
}

beforeAll(async () => {
  receiver = await startReceiver();
  gw = await startGateway({ port: PORT });
  stateDir = gw.stateDir;
  ({ api } = await setupAdmin(gw));
});

afterAll(async () => {
  await gw?.stop();
  await receiver?.close();
  if (stateDir) removeState(stateDir);
});

async function heartbeat(at: number): Promise<void> {
  const res = await fetch(`${gw.url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("* * * * *")}&time=${at}`);
  expect(res.status).toBe(200);
}

async function runsOf(jobId: string): Promise<Run[]> {
  const res = await api<{ runs: Run[] }>("GET", `/api/jobs/${jobId}/runs`);
  return res.body.runs.sort((a, b) => a.scheduledFor - b.scheduledFor);
}

describe("scheduler, end to end", () => {
  let job: Job;

  it("runs a due job on the heartbeat and delivers its result to the channel", async () => {
    const channel = await api<{ channel: { id: string } }>("POST", "/api/channels", {
      type: "webhook",
      name: "jobs",
      policy: "open",
      config: { secret: "e2e-scheduler-secret-0123456789", callbackUrl: `${receiver.url}/replies` },
    });
    expect(channel.status).toBe(201);
    const created = await api<{ job: Job }>("POST", "/api/jobs", {
      name: "digest",
      cron: "* * * * *",
      steps: [{ prompt: "Collect the news" }, { prompt: "Summarise" }],
      deliverTo: { channelId: channel.body.channel.id, recipient: "carol" },
    });
    expect(created.status).toBe(201);
    job = created.body.job;
    await heartbeat(job.nextRunAt);
    await waitFor(async () => (await runsOf(job.id))[0]?.status === "ok", 20_000, "the job run");
    const [run] = await runsOf(job.id);
    expect(run!.output).toContain("(turn 2) You said: Summarise");
    await waitFor(async () => receiver.received.some((r) => r.method === "POST" && JSON.parse(r.body).recipient === "carol"), 20_000, "the delivered result");
    const delivered = receiver.received.find((r) => JSON.parse(r.body).recipient === "carol")!;
    expect(JSON.parse(delivered.body).text).toMatch(/^\[digest\] .*\(turn 2\) You said: Summarise/);
  });

  it("runs a loop task until it stops making progress", async () => {
    const created = await api<{ task: { id: number } }>("POST", "/api/tasks", {
      name: "plan_feature",
      prompt: "Plan the feature",
      maxIterations: 10,
      noProgressLimit: 2,
    });
    expect(created.status).toBe(201);
    const id = created.body.task.id;
    await waitFor(
      async () => (await api<{ tasks: { id: number; status: string }[] }>("GET", "/api/tasks")).body.tasks.find((t) => t.id === id)?.status !== "running",
      20_000,
      "the loop task",
    );
    const out = await api<{ task: { stopReason: string; iterations: number }; iterations: unknown[] }>("GET", `/api/tasks/${id}/output`);
    expect(out.body.task).toMatchObject({ stopReason: "no_progress", iterations: 4 });
    expect(out.body.iterations).toHaveLength(4);
  });

  it("after a restart, keeps jobs and tasks and settles the due times it missed", async () => {
    await gw.stop();
    gw = await startGateway({ port: PORT, stateDir });
    ({ api } = await setupLogin());
    expect((await api<{ tasks: unknown[] }>("GET", "/api/tasks")).body.tasks).toHaveLength(1);
    // npm start fires the heartbeat every minute too, so look only at due times from here on.
    const before = (await api<{ job: Job }>("GET", `/api/jobs/${job.id}`)).body.job;
    await heartbeat(before.nextRunAt + 5 * MINUTE);
    const settled = async () => (await runsOf(job.id)).filter((r) => r.scheduledFor >= before.nextRunAt);
    await waitFor(async () => (await settled()).filter((r) => r.status !== "queued" && r.status !== "running").length === 6, 20_000, "the catch-up decisions");
    // Four minutes missed (catch-up policy skip), and the two still on time run.
    expect((await settled()).map((r) => r.status)).toEqual(["missed", "missed", "missed", "missed", "ok", "ok"]);
  });
});

async function setupLogin() {
  const anon = apiClient(gw.url);
  const login = await anon<{ token: string }>("POST", "/api/auth/login", { username: "admin", password: "correct horse battery staple" });
  expect(login.status).toBe(200);
  return { api: apiClient(gw.url, login.body.token) };
}
