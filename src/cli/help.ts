/** --help text: the command list, a group's subcommands, and one command's flags. */
import { commandName } from "./args";
import type { CommandSpec } from "./command";
import { GLOBAL_OPTIONS, REMOTE_OPTIONS, type OptionSpec } from "./options";

function flagLabel(name: string, spec: OptionSpec): string {
  const short = spec.short ? `-${spec.short}, ` : "";
  const value = spec.type === "string" ? ` <${spec.valueName ?? "value"}>` : "";
  return `${short}--${name}${value}${spec.multiple ? " ..." : ""}`;
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  const entries = Object.entries(options);
  const width = Math.max(...entries.map(([n, s]) => flagLabel(n, s).length));
  return entries.map(([n, s]) => `  ${flagLabel(n, s).padEnd(width)}  ${s.description}`);
}

export function commandHelp(spec: CommandSpec): string {
  const own = spec.options ?? {};
  const usage = [commandName(spec), ...(spec.args ?? []), Object.keys(own).length ? "[options]" : ""].filter(Boolean).join(" ");
  const lines = [`Usage: ${usage}`, "", spec.summary];
  if (spec.details) lines.push("", spec.details);
  if (Object.keys(own).length) lines.push("", "Options:", ...optionLines(own));
  lines.push("", "Global options:", ...optionLines({ ...(spec.remote ? REMOTE_OPTIONS : {}), ...GLOBAL_OPTIONS }));
  return lines.join("\n");
}

function commandList(specs: CommandSpec[]): string[] {
  const names = specs.map((s) => [s.path.join(" "), ...(s.args ?? [])].join(" "));
  const width = Math.max(...names.map((n) => n.length));
  return specs.map((s, i) => `  ${names[i]!.padEnd(width)}  ${s.summary}`);
}

export function groupHelp(group: string, specs: CommandSpec[]): string {
  return [
    `Usage: loopgate ${group} <command> [options]`,
    "",
    "Commands:",
    ...commandList(specs),
    "",
    `Run \`loopgate ${group} <command> --help\` for a command's options.`,
  ].join("\n");
}

export function mainHelp(specs: CommandSpec[]): string {
  return [
    "Usage: loopgate <command> [options]",
    "",
    "Run, configure and administer a Loopgate gateway, local or deployed.",
    "",
    "Commands:",
    ...commandList(specs),
    "",
    "Remote use: --url and --token on any command, or LOOPGATE_URL / LOOPGATE_TOKEN, or `loopgate login`.",
    "Add --json to any command for output a script can parse. Run `loopgate <command> --help` for details.",
  ].join("\n");
}
