/**
 * The CLI's one failure type: what went wrong, what to do about it, and the exit code a
 * script can branch on. main.ts turns it into stderr output; nothing else prints errors.
 */

/** Exit codes, documented in docs/cli.md. */
export const EXIT = {
  /** The gateway answered, but the operation failed (validation, not found, conflict...). */
  failed: 1,
  /** The command line itself is wrong: unknown command or flag, missing argument. */
  usage: 2,
  /** The gateway could not be reached (refused, DNS, timeout). */
  unreachable: 3,
  /** No token, or the gateway rejected it. */
  auth: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  constructor(
    message: string,
    /** One line saying what the user can do next. */
    readonly hint?: string,
    readonly exitCode: ExitCode = EXIT.failed,
  ) {
    super(message);
  }
}

export function usageError(message: string, hint?: string): CliError {
  return new CliError(message, hint, EXIT.usage);
}
