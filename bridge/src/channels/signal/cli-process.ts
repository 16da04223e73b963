/**
 * How the bridge starts signal-cli when no daemon is configured. The executable is bridge-side
 * configuration (SIGNAL_CLI_PATH, default `signal-cli` on PATH), never the channel config the
 * gateway pushes: an admin API call must not choose a program to run on the bridge's machine.
 * The child gets a minimal environment, so the bridge's token and any API keys in its
 * environment never reach it.
 */

/** Variables signal-cli (a JVM program keeping its state under $HOME or $XDG_DATA_HOME) needs. */
const PASSED_THROUGH = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "XDG_DATA_HOME", "JAVA_HOME", "JAVA_OPTS"] as const;

export const DEFAULT_SIGNAL_CLI = "signal-cli";

/** The signal-cli executable this bridge runs. */
export function signalCliPath(env: NodeJS.ProcessEnv): string {
  return env.SIGNAL_CLI_PATH?.trim() || DEFAULT_SIGNAL_CLI;
}

/** The child's environment: only the variables signal-cli needs, from the bridge's own. */
export function signalCliEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const key of PASSED_THROUGH) if (env[key] !== undefined) out[key] = env[key];
  return out;
}

/**
 * Where signal-cli keeps received attachments, each named by its id: SIGNAL_CLI_ATTACHMENTS_DIR,
 * else `attachments/` in signal-cli's data folder ($XDG_DATA_HOME/signal-cli, by default
 * ~/.local/share/signal-cli). A daemon on another machine needs this folder shared with the bridge.
 */
export function signalAttachmentsDir(env: NodeJS.ProcessEnv): string {
  if (env.SIGNAL_CLI_ATTACHMENTS_DIR?.trim()) return env.SIGNAL_CLI_ATTACHMENTS_DIR.trim();
  const data = env.XDG_DATA_HOME?.trim() || `${env.HOME ?? ""}/.local/share`;
  return `${data}/signal-cli/attachments`;
}
