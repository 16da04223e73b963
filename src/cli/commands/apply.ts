/**
 * `loopgate apply --config loopgate.config.json`: makes the gateway's channels match a file
 * kept in git. Everything is validated before anything changes; applying the same file again
 * changes nothing and says so.
 */
import { resolve } from "node:path";
import { describeZodError } from "../../lib/zod-error";
import { type ChannelAction, planChannels, PlanError } from "../apply-plan";
import { stringOption } from "../args";
import type { CommandSpec } from "../command";
import { type Gateway, unwrap } from "../connection";
import { type DesiredChannel, readConfigFile } from "../config-file";
import { CliError } from "../errors";
import type { Output } from "../output";
import { listChannels } from "./channels";

const BUILT_IN_TYPES = ["web"];
const SYMBOL: Record<ChannelAction["kind"], string> = { create: "+", update: "~", unchanged: "=", remove: "-" };

/** Checks each channel's type against the gateway and its config against the type's own zod schema. */
async function validateChannels(gw: Gateway, channels: DesiredChannel[], source: string): Promise<{ desired: DesiredChannel[]; secretFields: Map<string, readonly string[]> }> {
  const { types } = await unwrap(gw, gw.client.api.channels.types.$get());
  const secretFields = new Map(types.map((t) => [t.type, t.secretFields]));
  // The CLI ships with the same adapters as the gateway; a type only the gateway knows is checked there.
  const { getAdapter } = await import("../../channels/registry");
  const desired = channels.map((channel, i) => {
    const where = `${source}: channels[${i}] "${channel.name}"`;
    if (!secretFields.has(channel.type)) throw new CliError(`${where}: the gateway has no channel type "${channel.type}"`, `known types: ${[...secretFields.keys()].join(", ")}`);
    const adapter = getAdapter(channel.type);
    if (!adapter) return channel;
    const parsed = adapter.configSchema.safeParse(channel.config);
    if (!parsed.success) throw new CliError(`${where}: invalid ${channel.type} config: ${describeZodError(parsed.error)}`, "fix the file; nothing was changed on the gateway");
    return { ...channel, config: parsed.data as Record<string, unknown> };
  });
  return { desired, secretFields };
}

async function execute(gw: Gateway, actions: ChannelAction[], out: Output): Promise<Record<string, Record<string, unknown>>> {
  const generated: Record<string, Record<string, unknown>> = {};
  for (const action of actions) {
    if (action.kind === "create") {
      const created = await unwrap(gw, gw.client.api.channels.$post({ json: action.body }));
      if (Object.keys(created.generatedSecrets).length) generated[action.name] = created.generatedSecrets;
      out.progress(`  created ${action.name} (${created.channel.id})`);
    } else if (action.kind === "update") {
      await unwrap(gw, gw.client.api.channels[":id"].$put({ param: { id: action.id }, json: action.body }));
      out.progress(`  updated ${action.name}`);
    } else if (action.kind === "remove") {
      await unwrap(gw, gw.client.api.channels[":id"].$delete({ param: { id: action.id } }));
      out.progress(`  removed ${action.name}`);
    }
  }
  return generated;
}

export const applyCommand: CommandSpec = {
  path: ["apply"],
  summary: "make the gateway's channels match a config file (idempotent)",
  remote: true,
  options: {
    config: { type: "string", short: "c", valueName: "path", description: "the config file (default loopgate.config.json)" },
    "dry-run": { type: "boolean", description: "show what would change, change nothing" },
    prune: { type: "boolean", description: "also remove channels the file does not mention" },
    "update-secrets": { type: "boolean", description: "re-send secret fields of existing channels (rotation); by default secrets are set once" },
  },
  details: [
    'File format: {"channels": [{"name", "type", "policy"?, "allowlist"?, "rateLimitPerMinute"?, "config"?}]}.',
    "Channels are matched by name. A field left out means the API's default (policy pairing, empty",
    'allowlist, the gateway\'s rate limit). "${NAME}" in any string is replaced by the environment',
    "variable NAME, so secrets need not be committed. See docs/cli.md.",
  ].join("\n"),
  async run({ values, gateway, out, env }) {
    const path = resolve(stringOption(values, "config") ?? "loopgate.config.json");
    const file = readConfigFile(path, env);
    const gw = gateway();
    const { desired, secretFields } = await validateChannels(gw, file.channels, path);
    const current = await listChannels(gw);
    let actions: ChannelAction[];
    try {
      actions = planChannels(desired, current, {
        secretFields: (type) => secretFields.get(type) ?? [],
        prune: Boolean(values.prune),
        updateSecrets: Boolean(values["update-secrets"]),
        builtInTypes: BUILT_IN_TYPES,
      });
    } catch (err) {
      if (err instanceof PlanError) throw new CliError(err.message, "nothing was changed on the gateway");
      throw err;
    }
    const changing = actions.filter((a) => a.kind !== "unchanged");
    const dryRun = Boolean(values["dry-run"]);
    out.say(`${dryRun ? "Plan for" : "Applying"} ${path} to ${gw.url}:`);
    for (const a of actions) out.say(`  ${SYMBOL[a.kind]} ${a.kind.padEnd(9)} channel ${a.name} (${a.type})${a.kind === "update" ? `: ${a.changes.join(", ")}` : ""}`);
    const generated = dryRun || changing.length === 0 ? {} : await execute(gw, changing, out);
    const count = (kind: ChannelAction["kind"]) => actions.filter((a) => a.kind === kind).length;
    const summary = { created: count("create"), updated: count("update"), removed: count("remove"), unchanged: count("unchanged") };
    out.data({
      url: gw.url, config: path, dryRun, changed: !dryRun && changing.length > 0, ...summary,
      actions: actions.map((a) => ({ kind: a.kind, resource: "channel", name: a.name, type: a.type, ...("id" in a ? { id: a.id } : {}), ...(a.kind === "update" ? { changes: a.changes } : {}) })),
      generatedSecrets: generated,
    });
    if (changing.length === 0) out.say(`No changes: ${actions.length} channel${actions.length === 1 ? "" : "s"} already match${actions.length === 1 ? "es" : ""} the file.`);
    else if (dryRun) out.say(`Dry run: ${changing.length} change${changing.length === 1 ? "" : "s"} not applied.`);
    else out.say(`Applied: ${summary.created} created, ${summary.updated} updated, ${summary.removed} removed, ${summary.unchanged} unchanged.`);
    for (const [name, secrets] of Object.entries(generated)) {
      out.say(`\nGenerated secrets for ${name} (shown only now):\n${Object.entries(secrets).map(([k, v]) => `  ${k}: ${String(v)}`).join("\n")}`);
    }
  },
};
