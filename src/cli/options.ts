/**
 * Flags: how a command declares them (OptionSpec), the flags every command or every remote
 * command takes, and the typed readers commands use on the parsed values.
 */
import { usageError } from "./errors";

export interface OptionSpec {
  type: "string" | "boolean";
  /** One-letter alias, e.g. "f" for --follow. */
  short?: string;
  /** The flag may repeat; its values arrive as a list. */
  multiple?: boolean;
  /** One line for --help. */
  description: string;
  /** Placeholder shown in --help, e.g. "port" in `--port <port>`. */
  valueName?: string;
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  json: { type: "boolean", description: "print JSON for scripts instead of tables" },
  help: { type: "boolean", short: "h", description: "show help for this command" },
};

export const REMOTE_OPTIONS: Record<string, OptionSpec> = {
  url: { type: "string", valueName: "url", description: "gateway URL (env LOOPGATE_URL, else the stored login, else http://127.0.0.1:8787)" },
  token: { type: "string", valueName: "token", description: "API token (env LOOPGATE_TOKEN, else the stored login)" },
};

/** A string flag, or undefined when not given. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

/** A repeatable string flag, also accepting comma-separated lists ("--allow a,b --allow c"). */
export function listOption(values: OptionValues, name: string): string[] | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const items = (Array.isArray(v) ? v : [String(v)]).flatMap((s) => s.split(",")).map((s) => s.trim());
  return items.filter((s) => s.length > 0);
}

/** An integer flag within [min, max]; anything else is a usage error naming the flag. */
export function intOption(values: OptionValues, name: string, min: number, max: number): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw usageError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

/** A flag whose value must be one of a few words. */
export function choiceOption<T extends string>(values: OptionValues, name: string, choices: readonly T[]): T | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  if (!(choices as readonly string[]).includes(raw)) throw usageError(`--${name} must be one of ${choices.join(", ")}, got "${raw}"`);
  return raw as T;
}
