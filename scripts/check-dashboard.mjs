#!/usr/bin/env node
/**
 * Type-checks the dashboard against the Worker's API types (`npm run check`).
 * The dashboard imports `AppType` from src/api/app.ts, so its program contains the Worker's
 * sources too, but under the browser's DOM typings, where Workers-only typings (WebCrypto
 * buffers, AbortSignal, ...) differ. Those files are checked under the Workers typings by the
 * root tsconfig; here only the dashboard's own files are reported, so an API change that breaks
 * a screen fails this check, and nothing else does.
 */
import { dirname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dashboard = resolve(root, "dashboard") + sep;
const configPath = resolve(root, "dashboard/tsconfig.json");

const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => report([d]) };
const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, host);
if (!config) process.exit(2);
const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, configFileParsingDiagnostics: config.errors });
const own = program.getSourceFiles().filter((f) => resolve(f.fileName).startsWith(dashboard));
const diagnostics = [
  ...program.getConfigFileParsingDiagnostics(),
  ...program.getOptionsDiagnostics(),
  ...own.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]),
];
report(diagnostics);
if (diagnostics.length) process.exit(1);
console.log(`dashboard: ${own.length} files type-check against the API`);

function report(list) {
  if (!list.length) return;
  process.stderr.write(
    ts.formatDiagnosticsWithColorAndContext(list, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => "\n" }),
  );
}
