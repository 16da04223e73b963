/**
 * The declarative config `loopgate apply` reads: JSON, validated with the API's own request
 * schemas, with `${NAME}` replaced by environment variables so secrets stay out of git.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { channelCreateBody } from "../api/channel-schemas";
import { describeZodError } from "../lib/zod-error";
import { CliError } from "./errors";

export const configFileSchema = z
  .strictObject({
    /** Editors' schema hint; ignored. */
    $schema: z.string().optional(),
    channels: z.array(channelCreateBody.strict()).default([]),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.channels.forEach((c, i) => {
      if (seen.has(c.name)) ctx.addIssue({ code: "custom", path: ["channels", i, "name"], message: `"${c.name}" is used twice; channels are matched by name, so names must be unique` });
      seen.add(c.name);
    });
  });

export type ConfigFile = z.output<typeof configFileSchema>;
export type DesiredChannel = ConfigFile["channels"][number];

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
    throw new CliError(code === "ENOENT" ? `no config file at ${path}` : `cannot read ${path}: ${String(err)}`, "pass the file with --config PATH (default loopgate.config.json)", 2);
  }
  return parseConfigText(text, path, env);
}
