/**
 * `loopgate tasks list|start|stop|output|remove`: loop tasks, an agent re-reading its prompt and
 * its previous output until it says it is done (or hits its iteration or cost cap).
 */
import { intOption, stringOption } from "../options";
import type { CommandSpec } from "../command";
import { type Gateway, unwrap } from "../connection";
import { CliError, usageError } from "../errors";
import { formatTime, renderPairs } from "../output";
import { deliveryTarget } from "./delivery-target";

const WAIT_POLL_MS = 1_000;

function taskId(raw: string): string {
  if (!/^\d+$/.test(raw)) throw usageError(`"${raw}" is not a task number`, "see `loopgate tasks list`");
  return raw;
}

type Task = { id: number; name: string; status: string; stopReason: string | null; iterations: number; maxIterations: number; costUsd: number };

function describeTask(t: Task): string {
  return `task ${t.id} ${t.name}: ${t.status}${t.stopReason ? ` (${t.stopReason})` : ""}, ${t.iterations}/${t.maxIterations} iterations, $${t.costUsd.toFixed(4)}`;
}

const list: CommandSpec = {
  path: ["tasks", "list"],
  summary: "list loop tasks, newest first",
  remote: true,
  async run({ gateway, out }) {
    const gw = gateway();
    const body = await unwrap(gw, gw.client.api.tasks.$get());
    out.data(body);
    out.table(
      ["id", "name", "status", "iterations", "cost usd", "started", "finished"],
      body.tasks.map((t) => [
        t.id,
        t.name,
        t.stopReason ? `${t.status} (${t.stopReason})` : t.status,
        `${t.iterations}/${t.maxIterations}`,
        t.costUsd.toFixed(4),
        formatTime(t.startedAt),
        formatTime(t.finishedAt),
      ]),
      'No loop tasks. Start one with `loopgate tasks start --name NAME --prompt "..." --max-iterations 10`.',
    );
  },
};

async function waitForEnd(gw: Gateway, id: string, progress: (text: string) => void) {
  let seen = -1;
  for (;;) {
    const { task } = await unwrap(gw, gw.client.api.tasks[":id"].$get({ param: { id } }));
    if (task.iterations !== seen) progress(`  iteration ${task.iterations}/${task.maxIterations} (${task.status})`);
    seen = task.iterations;
    if (task.status !== "running") return task;
    await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
  }
}

const start: CommandSpec = {
  path: ["tasks", "start"],
  summary: "start a new loop task, or restart task ID",
  args: ["[ID]"],
  remote: true,
  options: {
    name: { type: "string", valueName: "name", description: "a name for people (new task)" },
    prompt: { type: "string", valueName: "text", description: "what the agent works on (new task)" },
    "max-iterations": { type: "string", valueName: "n", description: "stop after this many iterations, 1-1000 (new task)" },
    "completion-promise": { type: "string", valueName: "text", description: "the phrase that means done (default the gateway's)" },
    "cost-cap-usd": { type: "string", valueName: "usd", description: "stop when the task has cost this much" },
    "no-progress-limit": { type: "string", valueName: "n", description: "stop after this many iterations without progress" },
    notify: { type: "string", valueName: "channel:recipient", description: "tell someone when it ends" },
    wait: { type: "boolean", short: "w", description: "follow the task until it ends, then print its output" },
  },
  async run({ args, values, gateway, out }) {
    const gw = gateway();
    let task: Task;
    if (args[0]) {
      for (const flag of ["name", "prompt", "max-iterations"])
        if (values[flag] !== undefined) throw usageError(`--${flag} is for a new task; \`tasks start ${args[0]}\` restarts an existing one`);
      task = (await unwrap(gw, gw.client.api.tasks[":id"].start.$post({ param: { id: taskId(args[0]) } }))).task;
    } else {
      const name = stringOption(values, "name");
      const prompt = stringOption(values, "prompt");
      const maxIterations = intOption(values, "max-iterations", 1, 1000);
      if (!name || !prompt || !maxIterations)
        throw usageError("a new task needs --name, --prompt and --max-iterations", "or pass the ID of a task to restart it");
      const costCap = stringOption(values, "cost-cap-usd");
      const costCapUsd = costCap === undefined ? undefined : Number(costCap);
      if (costCapUsd !== undefined && !(costCapUsd > 0)) throw usageError(`--cost-cap-usd must be a positive number, got "${costCap}"`);
      const json = {
        name,
        prompt,
        maxIterations,
        costCapUsd,
        completionPromise: stringOption(values, "completion-promise"),
        noProgressLimit: intOption(values, "no-progress-limit", 1, 100),
        notify: await deliveryTarget(gw, "notify", stringOption(values, "notify")),
      };
      task = (await unwrap(gw, gw.client.api.tasks.$post({ json }))).task;
    }
    if (!values.wait) {
      out.data({ task });
      out.say(`Started ${describeTask(task)}. Follow it with \`loopgate tasks output ${task.id}\`.`);
      return;
    }
    out.progress(`Running task ${task.id} (${task.name})...`);
    const ended = await waitForEnd(gw, String(task.id), (t) => out.progress(t));
    const result = await unwrap(gw, gw.client.api.tasks[":id"].output.$get({ param: { id: String(task.id) }, query: {} }));
    out.data({ task: ended, output: result.output });
    out.say(`${describeTask(ended)}\n\n${result.output ?? "(no output)"}`);
    if (ended.status === "failed")
      throw new CliError(`task ${ended.id} failed${ended.stopReason ? ` (${ended.stopReason})` : ""}`, "see `loopgate tasks output --transcript`");
  },
};

const stop: CommandSpec = {
  path: ["tasks", "stop"],
  summary: "stop a running task (its output so far is kept)",
  args: ["ID"],
  remote: true,
  async run({ args, gateway, out }) {
    const gw = gateway();
    const { task } = await unwrap(gw, gw.client.api.tasks[":id"].stop.$post({ param: { id: taskId(args[0]!) } }));
    out.data({ task });
    out.say(`Stopped ${describeTask(task)}.`);
  },
};

const output: CommandSpec = {
  path: ["tasks", "output"],
  summary: "a task's result so far (the latest iteration's output)",
  args: ["ID"],
  remote: true,
  options: { transcript: { type: "boolean", description: "every iteration's output, in order" } },
  async run({ args, values, gateway, out }) {
    const gw = gateway();
    const body = await unwrap(gw, gw.client.api.tasks[":id"].output.$get({ param: { id: taskId(args[0]!) }, query: { limit: "1000" } }));
    out.data(body);
    out.say(renderPairs([["task", describeTask(body.task)]]));
    out.say(`\n${(values.transcript ? body.transcript : body.output) || "(no output yet)"}`);
  },
};

const remove: CommandSpec = {
  path: ["tasks", "remove"],
  summary: "delete a task and its iterations (stops it first)",
  args: ["ID"],
  remote: true,
  async run({ args, gateway, out }) {
    const gw = gateway();
    const body = await unwrap(gw, gw.client.api.tasks[":id"].$delete({ param: { id: taskId(args[0]!) } }));
    out.data(body);
    out.say(`Removed task ${body.deleted}.`);
  },
};

export const taskCommands = [list, start, stop, output, remove];
