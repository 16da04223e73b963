/**
 * For the storage phase: a copy of a wrangler config whose entry re-exports the real Worker
 * through bench/instrument/counted-worker.ts, so the unchanged code runs with counting bindings.
 * Relative paths in the copy (entries, directories, module aliases) are made absolute, since it
 * is written to a temporary directory.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { source, tempDir } from "./dev-process";

const PATH_KEYS = ["main", "migrations_dir", "directory"];

export function instrumentedConfig(configPath: string): string {
  const path = source(configPath);
  const base = dirname(path);
  let toml = readFileSync(path, "utf8");
  const main = /^main\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  if (!main) throw new Error(`${configPath} has no main entry`);
  const classes = [...toml.matchAll(/class_name\s*=\s*"([A-Za-z_$][\w$]*)"/g)].map((m) => m[1] as string);
  for (const key of PATH_KEYS) {
    toml = toml.replace(
      new RegExp(`^(${key}\\s*=\\s*)"([^"]+)"`, "gm"),
      (_, prefix: string, value: string) => `${prefix}${JSON.stringify(isAbsolute(value) ? value : resolve(base, value))}`,
    );
  }
  // Module aliases point at files relative to the config too.
  toml = toml.replace(/^("[^"]+"\s*=\s*)"(\.\.?\/[^"]+)"/gm, (_, prefix: string, value: string) => `${prefix}${JSON.stringify(resolve(base, value))}`);
  const dir = tempDir("loopgate-bench-instrumented-");
  const entry = join(dir, "entry.ts");
  const real = JSON.stringify(resolve(base, main));
  const counted = JSON.stringify(source("bench", "instrument", "counted-worker.ts"));
  writeFileSync(
    entry,
    [
      `import * as real from ${real};`,
      `import { countedClass, countedHandler } from ${counted};`,
      `export * from ${real};`,
      `export default countedHandler(real.default);`,
      ...[...new Set(classes)].map((name) => `export const ${name} = typeof real.${name} === "function" ? countedClass(real.${name}) : undefined;`),
      "",
    ].join("\n"),
  );
  const config = join(dir, "wrangler.toml");
  writeFileSync(config, toml.replace(/^main\s*=\s*"[^"]+"/m, `main = ${JSON.stringify(entry)}`));
  return config;
}
