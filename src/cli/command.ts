/**
 * What a command is: its words ("channels add"), its flags with their help text, its
 * positional arguments and the function that runs it. Every command file exports these.
 */
import type { Gateway } from "./connection";
import type { OptionSpec, OptionValues } from "./options";
import type { Output } from "./output";

export interface CommandContext {
  /** Parsed flags, by long name. */
  values: OptionValues;
  /** Positional arguments after the command words. */
  args: string[];
  out: Output;
  /** The process environment (tests pass their own). */
  env: NodeJS.ProcessEnv;
  /** The gateway the global --url/--token (or environment, or stored login) point at. */
  gateway(options?: { anonymous?: boolean }): Gateway;
}

export interface CommandSpec {
  /** The command words, e.g. ["pairing", "approve"]. */
  path: string[];
  /** One line for the command list. */
  summary: string;
  /** Positional arguments in help form: "CODE" required, "[ID]" optional. */
  args?: string[];
  options?: Record<string, OptionSpec>;
  /** Talks to a gateway: adds --url and --token. */
  remote?: boolean;
  /** Extra help text: examples, defaults, caveats. */
  details?: string;
  run(ctx: CommandContext): Promise<void>;
}
