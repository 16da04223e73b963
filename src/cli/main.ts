/**
 * The `loopgate` entry point: finds the command from the leading words, parses its flags,
 * runs it, and turns every failure into a message on stderr and a non-zero exit code.
 */
import { parseCommandArgs } from "./args";
import type { CommandSpec } from "./command";
import { COMMANDS } from "./commands";
import { resolveGateway } from "./connection";
import { CliError, EXIT, usageError } from "./errors";
import { commandHelp, groupHelp, mainHelp } from "./help";
import { createOutput, type Output } from "./output";
import { cliVersion } from "./paths";

/** The longest command whose words lead argv (so "jobs runs" wins over "jobs"). */
function findCommand(argv: string[]): CommandSpec | undefined {
  let best: CommandSpec | undefined;
  for (const spec of COMMANDS) {
    if (spec.path.every((word, i) => argv[i] === word) && (!best || spec.path.length > best.path.length)) best = spec;
  }
  return best;
}

function unknownCommand(argv: string[]): CliError {
  const group = COMMANDS.filter((s) => s.path.length > 1 && s.path[0] === argv[0]);
  if (group.length) {
    const sub = argv[1];
    const known = group.map((s) => s.path[1]).join(", ");
    if (!sub || sub.startsWith("-")) return usageError(`\`loopgate ${argv[0]}\` needs a command: ${known}`, `see \`loopgate ${argv[0]} --help\``);
    return usageError(`unknown command \`loopgate ${argv[0]} ${sub}\`; known: ${known}`, `see \`loopgate ${argv[0]} --help\``);
  }
  return usageError(`unknown command "${argv[0]}"`, "see `loopgate --help` for the list of commands");
}

function reportError(err: unknown, out: Output, stderr: NodeJS.WritableStream): number {
  const error = err instanceof CliError ? err : new CliError(`unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  if (out.json) stderr.write(`${JSON.stringify({ error: error.message, hint: error.hint ?? null, exitCode: error.exitCode })}\n`);
  else stderr.write(`loopgate: ${error.message}\n${error.hint ? `  hint: ${error.hint}\n` : ""}`);
  return error.exitCode;
}

export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  stdout: NodeJS.WritableStream = process.stdout,
  stderr: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const out = createOutput(argv.includes("--json"), stdout, stderr);
  try {
    const first = argv[0];
    if (first === undefined || first === "--help" || first === "-h" || first === "help") {
      stdout.write(`${mainHelp(COMMANDS)}\n`);
      return first === undefined ? EXIT.usage : 0;
    }
    if (first === "--version" || first === "-v" || first === "version") {
      stdout.write(`${cliVersion()}\n`);
      return 0;
    }
    const spec = findCommand(argv);
    if (!spec) {
      const group = COMMANDS.filter((s) => s.path.length > 1 && s.path[0] === first);
      if (group.length && (argv[1] === "--help" || argv[1] === "-h")) {
        stdout.write(`${groupHelp(first, group)}\n`);
        return 0;
      }
      throw unknownCommand(argv);
    }
    const { values, args } = parseCommandArgs(spec, argv.slice(spec.path.length));
    if (values.help) {
      stdout.write(`${commandHelp(spec)}\n`);
      return 0;
    }
    await spec.run({ values, args, out, env, gateway: (options) => resolveGateway(values, env, options) });
    return 0;
  } catch (err) {
    return reportError(err, out, stderr);
  }
}
