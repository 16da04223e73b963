/**
 * What a command is: its words ("channels add"), its flags with their help text, its
 * positional arguments and the function that runs it. Every command file exports these.
 */
import type { Gateway } from "./connection";
import type { Output } from "./output";

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

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  json: { type: "boolean", description: "print JSON for scripts instead of tables" },
  help: { type: "boolean", short: "h", description: "show help for this command" },
};

export const REMOTE_OPTIONS: Record<string, OptionSpec> = {
  url: { type: "string", valueName: "url", description: "gateway URL (env LOOPGATE_URL, else the stored login, else http://127.0.0.1:8787)" },
  token: { type: "string", valueName: "token", description: "API token (env LOOPGATE_TOKEN, else the stored login)" },
};
