/**
 * The declarative config `loopgate apply` reads: JSON, validated with the API's own request
 * schemas (channels, scheduled jobs), with `${NAME}` replaced by environment variables so
 * secrets stay out of git.
 */
import { readFileSync } from "node:fs";
import * as z from "zod";
import { channelCreateBody } from "../api/channel-schemas";
import { describeZodError } from "../lib/zod-error";
import { DEFAULT_TIMEZONE } from "../scheduler/cron";
import { cronError, jobCreateBody } from "../scheduler/job-schema";
import { CliError } from "./errors";

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
  "set SENDER_DAILY_TOKEN_LIMIT, SENDER_DAILY_COST_LIMIT_USD and ACCOUNT_DAILY_COST_LIMIT_USD in the gateway's environment (.dev.vars or the shell for `loopgate start`, wrangler.toml [vars] or `wrangler secret put` when deployed); see docs/agent.md";

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

/** Parses and validates a config document; errors name the file and the field. */
export function parseConfigText(text: string, source: string, env: NodeJS.ProcessEnv): ConfigFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${source} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (raw && typeof raw === "object" && "budgets" in raw) {
    throw new CliError(`${source}: "budgets" cannot be applied: budgets are gateway settings, not API state`, BUDGET_HINT);
  }
  const parsed = configFileSchema.safeParse(interpolateEnv(raw, env));
  if (!parsed.success) throw new CliError(`${source} is invalid: ${describeZodError(parsed.error)}`, "fix the file; nothing was changed on the gateway");
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
