/** Keeps the processes' output of an end-to-end file under LOOPGATE_E2E_LOGS when it is set, to read after a failed run. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** File name → output (a process that never started gives an empty file). */
export function keepLogs(outputs: Record<string, string | undefined>): void {
  const dir = process.env.LOOPGATE_E2E_LOGS;
  if (!dir) return;
  for (const [name, text] of Object.entries(outputs)) writeFileSync(join(dir, name), text ?? "");
}
