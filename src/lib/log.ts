/**
 * One JSON line per event, for Workers Logs, `wrangler tail`, `docker logs` and journald, in the
 * Worker and the bridge alike: `{at, level, scope, msg, ...detail}`. Never put a secret in it.
 */
export interface Logger {
  info(msg: string, detail?: Record<string, unknown>): void;
  warn(msg: string, detail?: Record<string, unknown>): void;
  error(msg: string, detail?: Record<string, unknown>): void;
}

export function createLogger(scope: string): Logger {
  const line =
    (level: "info" | "warn" | "error") =>
    (msg: string, detail: Record<string, unknown> = {}) => {
      const text = JSON.stringify({ at: new Date().toISOString(), level, scope, msg, ...detail });
      if (level === "error") console.error(text);
      else if (level === "warn") console.warn(text);
      else console.log(text);
    };
  return { info: line("info"), warn: line("warn"), error: line("error") };
}
