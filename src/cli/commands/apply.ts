/**
 * `loopgate apply --config loopgate.config.json`: makes the gateway's channels and scheduled
 * jobs match a file kept in git. Everything is validated and planned before anything changes;
 * applying the same file again changes nothing and says so.
 */
import { resolve } from "node:path";
import { describeZodError } from "../../lib/zod-error";
import { type ChannelRef, type JobAction, planJobs, resolveDeliveryChannels } from "../apply-jobs";
import { type ChannelAction, planChannels, PlanError } from "../apply-plan";
import { stringOption } from "../options";
import type { CommandSpec } from "../command";
import { type DesiredChannel, type DesiredJob, readConfigFile } from "../config-file";
import { type Gateway, unwrap } from "../connection";
import { CliError } from "../errors";
import type { Output } from "../output";
import { listChannels } from "./channels";

const BUILT_IN_TYPES = ["web"];
type Kind = ChannelAction["kind"];
const SYMBOL: Record<Kind, string> = { create: "+", update: "~", unchanged: "=", remove: "-" };

/** Checks each channel's type against the gateway and its config against the type's own zod schema. */
async function validateChannels(
  gw: Gateway,
  channels: DesiredChannel[],
  source: string,
): Promise<{ desired: DesiredChannel[]; secretFields: Map<string, readonly string[]> }> {
  const { types } = await unwrap(gw, gw.client.api.channels.types.$get());
  const secretFields = new Map(types.map((t) => [t.type, t.secretFields]));
  // The CLI ships with the same adapters as the gateway; a type only the gateway knows is checked there.
  const { getAdapter } = await import("../../channels/registry");
  const desired = channels.map((channel, i) => {
    const where = `${source}: channels[${i}] "${channel.name}"`;
    if (!secretFields.has(channel.type))
      throw new CliError(`${where}: the gateway has no channel type "${channel.type}"`, `known types: ${[...secretFields.keys()].join(", ")}`);
    const adapter = getAdapter(channel.type);
    if (!adapter) return channel;
    const parsed = adapter.configSchema.safeParse(channel.config);
    if (!parsed.success)
      throw new CliError(`${where}: invalid ${channel.type} config: ${describeZodError(parsed.error)}`, "fix the file; nothing was changed on the gateway");
    return { ...channel, config: parsed.data as Record<string, unknown> };
  });
  return { desired, secretFields };
}

async function executeChannels(gw: Gateway, actions: ChannelAction[], out: Output): Promise<Record<string, Record<string, unknown>>> {
  const generated: Record<string, Record<string, unknown>> = {};
  for (const action of actions) {
    if (action.kind === "create") {
      const created = await unwrap(gw, gw.client.api.channels.$post({ json: action.body }));
      if (Object.keys(created.generatedSecrets).length) generated[action.name] = created.generatedSecrets;
      out.progress(`  created channel ${action.name} (${created.channel.id})`);
    } else if (action.kind === "update") {
      await unwrap(gw, gw.client.api.channels[":id"].$put({ param: { id: action.id }, json: action.body }));
      out.progress(`  updated channel ${action.name}`);
    } else if (action.kind === "remove") {
      await unwrap(gw, gw.client.api.channels[":id"].$delete({ param: { id: action.id } }));
      out.progress(`  removed channel ${action.name}`);
    }
  }
  return generated;
}

async function executeJobs(gw: Gateway, actions: JobAction[], out: Output): Promise<void> {
  for (const action of actions) {
    if (action.kind === "create") {
      const { job } = await unwrap(gw, gw.client.api.jobs.$post({ json: action.body }));
      out.progress(`  created job ${action.name} (${job.id})`);
    } else if (action.kind === "update") {
      await unwrap(gw, gw.client.api.jobs[":id"].$put({ param: { id: action.id }, json: action.body }));
      out.progress(`  updated job ${action.name}`);
    } else if (action.kind === "remove") {
      await unwrap(gw, gw.client.api.jobs[":id"].$delete({ param: { id: action.id } }));
      out.progress(`  removed job ${action.name}`);
    }
  }
}

/** Plans the jobs; `pending` names channels this run creates, so a job may deliver to one. */
async function jobPlan(gw: Gateway, jobs: DesiredJob[], channels: ChannelRef[], pending: string[], prune: boolean): Promise<JobAction[]> {
  if (jobs.length === 0 && !prune) return [];
  const { jobs: current } = await unwrap(gw, gw.client.api.jobs.$get());
  return planJobs(resolveDeliveryChannels(jobs, channels, pending), current, { prune });
}

function counts(actions: { kind: Kind }[]) {
  const n = (kind: Kind) => actions.filter((a) => a.kind === kind).length;
  return { created: n("create"), updated: n("update"), removed: n("remove"), unchanged: n("unchanged") };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export const applyCommand: CommandSpec = {
  path: ["apply"],
  summary: "make the gateway's channels and scheduled jobs match a config file (idempotent)",
  remote: true,
  options: {
    config: { type: "string", short: "c", valueName: "path", description: "the config file (default loopgate.config.json)" },
    "dry-run": { type: "boolean", description: "show what would change, change nothing" },
    prune: { type: "boolean", description: "also remove channels the file does not mention" },
    "prune-jobs": { type: "boolean", description: "also remove jobs the file does not mention (including jobs senders scheduled through the agent)" },
    "update-secrets": { type: "boolean", description: "re-send secret fields of existing channels (rotation); by default secrets are set once" },
  },
  details: [
    'File format: {"channels": [{"name", "type", "policy"?, "allowlist"?, "rateLimitPerMinute"?, "agent"?, "config"?}],',
    '              "jobs": [{"name", "cron", "steps": [{"prompt"}], "timezone"?, "deliverTo"?, "catchUp"?, "retry"?}]}.',
    "Channels and jobs are matched by name. A field left out means the API's default. A job's",
    'deliverTo.channelId may be a channel\'s name. "${NAME}" in any string is replaced by the',
    "environment variable NAME, so secrets need not be committed. Budgets are gateway settings",
    "(environment), not applied here. See docs/cli.md.",
  ].join("\n"),
  async run({ values, gateway, out, env }) {
    const path = resolve(stringOption(values, "config") ?? "loopgate.config.json");
    const file = readConfigFile(path, env);
    const gw = gateway();
    const dryRun = Boolean(values["dry-run"]);
    const pruneJobs = Boolean(values["prune-jobs"]);
    const { desired, secretFields } = await validateChannels(gw, file.channels, path);
    let channelActions: ChannelAction[];
    let jobActions: JobAction[];
    const currentChannels = await listChannels(gw);
    try {
      channelActions = planChannels(desired, currentChannels, {
        secretFields: (type) => secretFields.get(type) ?? [],
        prune: Boolean(values.prune),
        updateSecrets: Boolean(values["update-secrets"]),
        builtInTypes: BUILT_IN_TYPES,
      });
      // Planned before any change, so a job naming an unknown channel stops the run with nothing done.
      const creating = channelActions.filter((a) => a.kind === "create").map((a) => a.name);
      const removing = new Set(channelActions.flatMap((a) => (a.kind === "remove" ? [a.id] : [])));
      jobActions = await jobPlan(
        gw,
        file.jobs,
        currentChannels.filter((c) => !removing.has(c.id)),
        creating,
        pruneJobs,
      );
    } catch (err) {
      if (err instanceof PlanError) throw new CliError(err.message, "nothing was changed on the gateway");
      throw err;
    }
    const changingChannels = channelActions.filter((a) => a.kind !== "unchanged");
    out.say(`${dryRun ? "Plan for" : "Applying"} ${path} to ${gw.url}:`);
    for (const a of channelActions)
      out.say(`  ${SYMBOL[a.kind]} ${a.kind.padEnd(9)} channel ${a.name} (${a.type})${a.kind === "update" ? `: ${a.changes.join(", ")}` : ""}`);
    for (const a of jobActions) out.say(`  ${SYMBOL[a.kind]} ${a.kind.padEnd(9)} job ${a.name}${a.kind === "update" ? `: ${a.changes.join(", ")}` : ""}`);

    let generated: Record<string, Record<string, unknown>> = {};
    if (!dryRun) {
      generated = await executeChannels(gw, changingChannels, out);
      // New channels have ids now; jobs that deliver to them are planned against the real ids.
      if (changingChannels.some((a) => a.kind === "create")) jobActions = await jobPlan(gw, file.jobs, await listChannels(gw), [], pruneJobs);
      await executeJobs(
        gw,
        jobActions.filter((a) => a.kind !== "unchanged"),
        out,
      );
    }
    const all = [...channelActions, ...jobActions];
    const changing = all.filter((a) => a.kind !== "unchanged").length;
    const summary = counts(all);
    out.data({
      url: gw.url,
      config: path,
      dryRun,
      changed: !dryRun && changing > 0,
      ...summary,
      channels: counts(channelActions),
      jobs: counts(jobActions),
      actions: [
        ...channelActions.map((a) => ({
          kind: a.kind,
          resource: "channel",
          name: a.name,
          type: a.type,
          ...("id" in a ? { id: a.id } : {}),
          ...(a.kind === "update" ? { changes: a.changes } : {}),
        })),
        ...jobActions.map((a) => ({
          kind: a.kind,
          resource: "job",
          name: a.name,
          ...("id" in a ? { id: a.id } : {}),
          ...(a.kind === "update" ? { changes: a.changes } : {}),
        })),
      ],
      generatedSecrets: generated,
    });
    if (changing === 0) {
      const what = jobActions.length
        ? `${plural(channelActions.length, "channel")} and ${plural(jobActions.length, "job")}`
        : plural(channelActions.length, "channel");
      out.say(`No changes: ${what} already match${all.length === 1 ? "es" : ""} the file.`);
    } else if (dryRun) out.say(`Dry run: ${plural(changing, "change")} not applied.`);
    else out.say(`Applied: ${summary.created} created, ${summary.updated} updated, ${summary.removed} removed, ${summary.unchanged} unchanged.`);
    for (const [name, secrets] of Object.entries(generated)) {
      out.say(
        `\nGenerated secrets for ${name} (shown only now):\n${Object.entries(secrets)
          .map(([k, v]) => `  ${k}: ${String(v)}`)
          .join("\n")}`,
      );
    }
  },
};
