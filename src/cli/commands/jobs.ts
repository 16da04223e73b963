/**
 * `loopgate jobs list|add|pause|resume|run|remove|runs`: scheduled agent jobs (cron + recipe).
 * `jobs run --wait` follows the manual run to its end, so a script knows how it went.
 */
import { jobCreateBody } from "../../scheduler/job-schema";
import { describeZodError } from "../../lib/zod-error";
import { choiceOption, intOption, stringOption } from "../options";
import type { CommandSpec } from "../command";
import { type Gateway, unwrap } from "../connection";
import { CliError, usageError } from "../errors";
import { formatTime, renderPairs } from "../output";
import { pickByRef } from "../pick-by-ref";
import { deliveryTarget } from "./delivery-target";

const RUN_STATUSES = ["queued", "running", "retrying", "ok", "failed", "skipped", "missed"] as const;
const FINAL_RUN_STATUSES = new Set(["ok", "failed", "skipped", "missed"]);
const WAIT_POLL_MS = 1_000;
const WAIT_LIMIT_MS = 10 * 60_000;

/** A job by id or, failing that, by its (unique) name. */
async function findJob(gw: Gateway, ref: string) {
  return pickByRef((await unwrap(gw, gw.client.api.jobs.$get())).jobs, ref, { one: "job", many: "jobs", list: "jobs list" });
}

const list: CommandSpec = {
  path: ["jobs", "list"],
  summary: "list scheduled jobs with their schedule and next run",
  remote: true,
  async run({ gateway, out }) {
    const gw = gateway();
    const body = await unwrap(gw, gw.client.api.jobs.$get());
    out.data(body);
    out.table(
      ["id", "name", "cron", "timezone", "status", "next run", "steps", "deliver to"],
      body.jobs.map((j) => [
        j.id,
        j.name,
        j.cron,
        j.timezone,
        j.status,
        formatTime(j.nextRuns[0] ?? null),
        j.steps.length,
        j.deliverTo ? `${j.deliverTo.channelId}:${j.deliverTo.recipient}` : "",
      ]),
      'No jobs yet. Add one with `loopgate jobs add --name NAME --cron "0 9 * * MON-FRI" --prompt "..."`.',
    );
  },
};

const add: CommandSpec = {
  path: ["jobs", "add"],
  summary: "schedule a job: a cron expression and one or more prompts run in order",
  remote: true,
  options: {
    name: { type: "string", valueName: "name", description: "a name for people" },
    cron: { type: "string", valueName: "expr", description: 'standard cron, e.g. "0 9 * * MON-FRI"' },
    timezone: { type: "string", valueName: "tz", description: "IANA zone the cron is read in (default the gateway's)" },
    prompt: { type: "string", multiple: true, valueName: "text", description: "a recipe step; repeat for several steps, each sees the previous output" },
    "deliver-to": { type: "string", valueName: "channel:recipient", description: "send the result there (channel id or name)" },
    "catch-up": { type: "string", valueName: "policy", description: "after downtime: skip (default) or run-once" },
    retries: { type: "string", valueName: "n", description: "attempts per run, 1-10 (default 1)" },
  },
  async run({ values, gateway, out }) {
    const prompts = (values.prompt as string[] | undefined) ?? [];
    const gw = gateway();
    const attempts = intOption(values, "retries", 1, 10);
    const body = jobCreateBody.safeParse({
      name: stringOption(values, "name"),
      cron: stringOption(values, "cron"),
      timezone: stringOption(values, "timezone"),
      steps: prompts.map((prompt) => ({ prompt })),
      deliverTo: await deliveryTarget(gw, "deliver-to", stringOption(values, "deliver-to")),
      catchUp: choiceOption(values, "catch-up", ["skip", "run-once"] as const),
      retry: attempts ? { attempts } : undefined,
    });
    if (!body.success) throw usageError(describeZodError(body.error).replace(/^steps: /, "--prompt: "), "see `loopgate jobs add --help`");
    const { job } = await unwrap(gw, gw.client.api.jobs.$post({ json: body.data }));
    out.data({ job });
    out.say(
      renderPairs([
        ["created", `${job.name} (${job.id})`],
        ["schedule", `${job.cron} (${job.timezone})`],
        [
          "next runs",
          job.nextRuns
            .slice(0, 3)
            .map((t) => formatTime(t))
            .join(", "),
        ],
      ]),
    );
  },
};

function jobAction(verb: "pause" | "resume" | "remove", summary: string): CommandSpec {
  return {
    path: ["jobs", verb],
    summary,
    args: ["JOB"],
    remote: true,
    async run({ args, gateway, out }) {
      const gw = gateway();
      const job = await findJob(gw, args[0]!);
      const param = { param: { id: job.id } };
      if (verb === "remove") {
        const body = await unwrap(gw, gw.client.api.jobs[":id"].$delete(param));
        out.data(body);
        out.say(`Removed job ${job.name} (${job.id}) and its run history.`);
        return;
      }
      const route = gw.client.api.jobs[":id"][verb];
      const { job: updated } = await unwrap(gw, route.$post(param));
      out.data({ job: updated });
      out.say(
        verb === "pause"
          ? `Paused ${updated.name}; it will not run until resumed.`
          : `Resumed ${updated.name}; next run ${formatTime(updated.nextRuns[0] ?? null) || "per its catch-up policy"}.`,
      );
    },
  };
}

const run: CommandSpec = {
  path: ["jobs", "run"],
  summary: "run a job now (outside its schedule)",
  args: ["JOB"],
  remote: true,
  options: { wait: { type: "boolean", short: "w", description: "wait for the run to finish and print its output" } },
  async run({ args, values, gateway, out }) {
    const gw = gateway();
    const job = await findJob(gw, args[0]!);
    const { run: queued } = await unwrap(gw, gw.client.api.jobs[":id"].run.$post({ param: { id: job.id } }));
    if (!queued) throw new CliError(`the gateway did not queue a run of ${job.name}`, "try again; its log says why");
    if (!values.wait) {
      out.data({ run: queued });
      out.say(`Queued run ${queued.id} of ${job.name}; see \`loopgate jobs runs ${job.id}\`.`);
      return;
    }
    out.progress(`Running ${job.name} (run ${queued.id})...`);
    const deadline = Date.now() + WAIT_LIMIT_MS;
    let lastStatus: string = queued.status;
    for (;;) {
      await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
      const { runs } = await unwrap(gw, gw.client.api.jobs[":id"].runs.$get({ param: { id: job.id }, query: { limit: "20" } }));
      const current = runs.find((r) => r.id === queued.id);
      if (current && current.status !== lastStatus) out.progress(`  ${current.status}${current.attempts > 1 ? ` (attempt ${current.attempts})` : ""}`);
      lastStatus = current?.status ?? lastStatus;
      if (current && FINAL_RUN_STATUSES.has(current.status)) {
        out.data({ run: current });
        out.say(current.output ?? current.error ?? "");
        if (current.status !== "ok") throw new CliError(`run ${current.id} of ${job.name} ended ${current.status}${current.error ? `: ${current.error}` : ""}`);
        return;
      }
      if (Date.now() > deadline)
        throw new CliError(
          `run ${queued.id} is still ${lastStatus} after ${WAIT_LIMIT_MS / 60_000} minutes`,
          `it keeps going; check later with \`loopgate jobs runs ${job.id}\``,
        );
    }
  },
};

const runs: CommandSpec = {
  path: ["jobs", "runs"],
  summary: "a job's recent runs, newest first",
  args: ["JOB"],
  remote: true,
  options: {
    limit: { type: "string", short: "n", valueName: "n", description: "how many (default 20)" },
    status: { type: "string", valueName: "status", description: `only these: ${RUN_STATUSES.join(", ")}` },
  },
  async run({ args, values, gateway, out }) {
    const gw = gateway();
    const job = await findJob(gw, args[0]!);
    const status = choiceOption(values, "status", RUN_STATUSES);
    const limit = String(intOption(values, "limit", 1, 500) ?? 20);
    const body = await unwrap(gw, gw.client.api.jobs[":id"].runs.$get({ param: { id: job.id }, query: status ? { limit, status } : { limit } }));
    out.data(body);
    out.table(
      ["run", "scheduled for", "trigger", "status", "attempts", "cost usd", "output / error"],
      body.runs.map((r) => [r.id, formatTime(r.scheduledFor), r.trigger, r.status, r.attempts, r.costUsd.toFixed(4), r.error ?? r.output ?? ""]),
      `No runs of ${job.name} yet.`,
    );
  },
};

export const jobCommands = [
  list,
  add,
  jobAction("pause", "pause a job (id or name); its schedule is kept"),
  jobAction("resume", "resume a paused job"),
  run,
  runs,
  jobAction("remove", "delete a job and its run history"),
];
