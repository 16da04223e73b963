#!/usr/bin/env node
/**
 * `loopgate` / `npx loopgate`: runs the TypeScript CLI (src/cli/main.ts) through tsx, under
 * Node 22 or later. npm puts the project's own Node 22 (the `node` devDependency) first on
 * PATH for npx and npm scripts; run directly under an older system Node, this re-executes
 * itself with that binary so the CLI behaves the same either way.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const MIN_NODE_MAJOR = 22;

if (Number(process.versions.node.split(".")[0]) < MIN_NODE_MAJOR) {
  const bundled = resolve(root, "node_modules", ".bin", "node");
  if (!existsSync(bundled)) {
    process.stderr.write(
      `loopgate: needs Node ${MIN_NODE_MAJOR} or later (this is ${process.version})\n  hint: run \`npm install\` in ${root}, then \`npx loopgate\`\n`,
    );
    process.exit(1);
  }
  const result = spawnSync(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(result.status ?? 1);
}

const { register } = await import("tsx/esm/api");
register();
const { main } = await import(pathToFileURL(resolve(root, "src", "cli", "main.ts")).href);
process.exitCode = await main(process.argv.slice(2));
