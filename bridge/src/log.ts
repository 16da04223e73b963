/** One JSON line per event on stdout, for `docker logs` and journald; never a secret in it. */
export interface Logger {
  info(msg: string, detail?: Record<string, unknown>): void;
  warn(msg: string, detail?: Record<string, unknown>): void;
  error(msg: string, detail?: Record<string, unknown>): void;
}

export function createLogger(scope: string): Logger {
  const line =
    (level: string) =>
    (msg: string, detail: Record<string, unknown> = {}) =>
      console.log(JSON.stringify({ at: new Date().toISOString(), level, scope, msg, ...detail }));
  return { info: line("info"), warn: line("warn"), error: line("error") };
}
