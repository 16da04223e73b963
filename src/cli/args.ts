/**
 * Command-line parsing on node:util parseArgs, strict: an unknown flag, a missing value or a
 * stray argument is a usage error that names the command's --help, never silently ignored.
 */
import { parseArgs } from "node:util";
import type { CommandSpec } from "./command";
import { GLOBAL_OPTIONS, REMOTE_OPTIONS, type OptionSpec, type OptionValues } from "./options";
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
