/**
 * The declarative config `loopgate apply` reads: JSON, validated with the API's own request
 * schemas (channels, scheduled jobs), with `${NAME}` replaced by environment variables so
 * secrets stay out of git.
 */
import { readFileSync } from "node:fs";
import * as z from "zod";
import { channelCreateBody } from "../api/channel-schemas";
import { configSchema as gatewaySettings } from "../config";
import { DEFAULT_TIMEZONE } from "../cron/cron";
import { cronError, jobCreateBody } from "../scheduler/job-schema";
import { LineCounter, parseDocument } from "yaml";
import { jsonLocator, type LineLocator, yamlLocator } from "./config-locate";
import { CliError } from "./errors";

/** Settings the file may not set: `loopgate start` owns them (the master key and setup token stay in the state directory). */
const START_OWNED = new Set(["LOOPGATE_MASTER_KEY", "LOOPGATE_SETUP_TOKEN", "LOOPGATE_VERSION"]);

/** A `settings:` map: gateway environment settings (src/config.ts), as `loopgate start --config` passes them. */
const settingsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).superRefine((settings, ctx) => {
  const known = Object.keys(gatewaySettings.shape);
  for (const [key, value] of Object.entries(settings)) {
    if (START_OWNED.has(key)) ctx.addIssue({ code: "custom", path: [key], message: `${key} cannot be set from the file; loopgate start manages it` });
    else if (!known.includes(key))
      ctx.addIssue({ code: "custom", path: [key], message: `unknown setting; known: ${known.filter((k) => !START_OWNED.has(k)).join(", ")}` });
    else {
      const parsed = gatewaySettings.shape[key as keyof typeof gatewaySettings.shape].safeParse(String(value));
      if (!parsed.success) ctx.addIssue({ code: "custom", path: [key], message: parsed.error.issues[0]?.message ?? "invalid value" });
    }
  }
});

/** Names must be unique within a list, since apply matches by name. */
function uniqueNames(items: readonly { name: string }[], key: string, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.name))
      ctx.addIssue({ code: "custom", path: [key, i, "name"], message: `"${item.name}" is used twice; ${key} are matched by name, so names must be unique` });
    seen.add(item.name);
  });
}

export const configFileSchema = z
  .strictObject({
    /** Editors' schema hint; ignored. */
    $schema: z.string().optional(),
    channels: z.array(channelCreateBody.strict()).default([]),
    /** `deliverTo.channelId` may also be a channel's name (resolved by apply). */
    jobs: z.array(jobCreateBody).default([]),
    /** Gateway settings for `loopgate start --config` (environment variables such as AGENT_MODEL); `apply` ignores them. */
    settings: settingsSchema.default({}),
  })
  .superRefine((file, ctx) => {
    uniqueNames(file.channels, "channels", ctx);
    uniqueNames(file.jobs, "jobs", ctx);
    // The API checks cron and zone after its schema; checking here too keeps "nothing changes on a bad file".
    file.jobs.forEach((job, i) => {
      const bad = cronError(job.cron, job.timezone ?? DEFAULT_TIMEZONE);
      if (bad) ctx.addIssue({ code: "custom", path: ["jobs", i, bad.startsWith("cron: ") ? "cron" : "timezone"], message: bad.replace(/^cron: /, "") });
    });
  });

export type ConfigFile = z.output<typeof configFileSchema>;
export type DesiredChannel = ConfigFile["channels"][number];
export type DesiredJob = ConfigFile["jobs"][number];

/**
 * Budgets are gateway settings read from its environment, not state the API can change; a file
 * that declares them would otherwise be silently half-applied.
 */
const BUDGET_HINT =
  "set SENDER_DAILY_TOKEN_LIMIT, SENDER_DAILY_COST_LIMIT_USD and ACCOUNT_DAILY_COST_LIMIT_USD in the gateway's environment (the file's `settings:` with `loopgate start --config`, .dev.vars or the shell, wrangler.toml [vars] or `wrangler secret put` when deployed); see docs/agent.md";

/** Replaces `${NAME}` in every string with env[NAME]; an unset variable is an error naming where. */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, path = ""): unknown {
  if (typeof value === "string") {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const v = env[name];
      if (v === undefined) throw new CliError(`${path || "value"} uses \${${name}}, but ${name} is not set`, `export ${name}=... before running apply`);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, `${path}[${i}]`));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateEnv(v, env, path ? `${path}.${k}` : k)]));
  }
  return value;
}

/** " (line N)" for JSON syntax errors that give a position. */
function lineAtPosition(text: string, message: string): string {
  const position = /at position (\d+)/.exec(message)?.[1];
  return position === undefined ? "" : ` (line ${text.slice(0, Number(position)).split("\n").length})`;
}

/** YAML by the file's name (.yaml, .yml), JSON otherwise. */
const isYaml = (source: string) => /\.ya?ml$/i.test(source);

/** The document's data and where each field is, or a CliError naming the line of a syntax error. */
function parseText(text: string, source: string): { raw: unknown; lineOf: LineLocator } {
  if (isYaml(source)) {
    const counter = new LineCounter();
    const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
    const error = doc.errors[0];
    if (error) throw new CliError(`${source}:${counter.linePos(error.pos[0]).line}: not valid YAML: ${error.message.split("\n")[0]}`);
    return { raw: doc.toJS(), lineOf: yamlLocator(doc, counter) };
  }
  try {
    return { raw: JSON.parse(text), lineOf: jsonLocator(text) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new CliError(`${source} is not valid JSON${lineAtPosition(text, message)}: ${message}`);
  }
}

/** Parses and validates a config document (YAML or JSON); errors name the file, the line and the field. */
export function parseConfigText(text: string, source: string, env: NodeJS.ProcessEnv): ConfigFile {
  const { raw, lineOf } = parseText(text, source);
  if (raw && typeof raw === "object" && "budgets" in raw) {
    throw new CliError(`${source}:${lineOf(["budgets"])}: "budgets" cannot be applied: budgets are gateway settings, not API state`, BUDGET_HINT);
  }
  const parsed = configFileSchema.safeParse(interpolateEnv(raw, env));
  if (!parsed.success) {
    const where = parsed.error.issues.slice(0, 3).map((issue) => {
      const field = issue.path.map(String).join(".") || "(top level)";
      return `${source}:${lineOf(issue.path) ?? 1}: ${field}: ${issue.message}`;
    });
    throw new CliError(`invalid config file:\n  ${where.join("\n  ")}`, "fix the file; nothing was changed on the gateway");
  }
  return parsed.data;
}

export function readConfigFile(path: string, env: NodeJS.ProcessEnv): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new CliError(
      code === "ENOENT" ? `no config file at ${path}` : `cannot read ${path}: ${String(err)}`,
      "pass the file with --config PATH (default loopgate.config.json)",
      2,
    );
  }
  return parseConfigText(text, path, env);
}
