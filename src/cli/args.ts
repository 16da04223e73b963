/**
 * Command-line parsing on node:util parseArgs, strict: an unknown flag, a missing value or a
 * stray argument is a usage error that names the command's --help, never silently ignored.
 */
import { parseArgs } from "node:util";
import { GLOBAL_OPTIONS, REMOTE_OPTIONS, type CommandSpec, type OptionSpec, type OptionValues } from "./command";
import { usageError } from "./errors";

export function optionsFor(spec: CommandSpec): Record<string, OptionSpec> {
  return { ...spec.options, ...(spec.remote ? REMOTE_OPTIONS : {}), ...GLOBAL_OPTIONS };
}

export function commandName(spec: CommandSpec): string {
  return `loopgate ${spec.path.join(" ")}`;
}

/** Parses the arguments after the command words; throws a usage error naming what is wrong. */
export function parseCommandArgs(spec: CommandSpec, argv: string[]): { values: OptionValues; args: string[] } {
  const options = optionsFor(spec);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw usageError(parseErrorText(err), `see \`${commandName(spec)} --help\``);
  }
  const values = parsed.values as OptionValues;
  if (values.help) return { values, args: parsed.positionals };
  const declared = spec.args ?? [];
  const required = declared.filter((a) => !a.startsWith("[")).length;
  if (parsed.positionals.length < required) {
    const missing = declared.slice(parsed.positionals.length, required).join(" ");
    throw usageError(`missing ${missing} for \`${commandName(spec)}\``, `usage: ${commandName(spec)} ${declared.join(" ")}`.trimEnd());
  }
  if (parsed.positionals.length > declared.length) {
    const extra = parsed.positionals.slice(declared.length).join(" ");
    throw usageError(`unexpected argument "${extra}" for \`${commandName(spec)}\``, `see \`${commandName(spec)} --help\``);
  }
  return { values, args: parsed.positionals };
}

/** parseArgs messages are long and mention internals; keep the part a user needs. */
function parseErrorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missingValue = /Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/.exec(message);
  if (missingValue) return `option ${missingValue[1]} needs a value`;
  const noValue = /Option '(?:-\w, )?(--[\w-]+)[^']*' does not take an argument/.exec(message);
  if (noValue) return `option ${noValue[1]} takes no value`;
  return message.split(/\. ?To specify/)[0] ?? message;
}

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
