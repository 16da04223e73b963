/** Where the CLI finds the project it ships with (scripts/start.mjs, package.json). */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

export const PROJECT_ROOT = resolve(import.meta.dirname, "../..");

export function cliVersion(): string {
  return (JSON.parse(readFileSync(resolve(PROJECT_ROOT, "package.json"), "utf8")) as { version: string }).version;
}
