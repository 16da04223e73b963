#!/usr/bin/env node
/**
 * Fails on an import that goes up a layer or closes a cycle (run by `npm run check`).
 * The layers of src/, bottom-up, are listed in LAYERS (docs/architecture.md draws them): a file
 * may import from its own layer and the ones below, never from above. workers/ sits on top of
 * src/; the bridge may use only the web-standard bottom of src/ (BRIDGE_MAY_USE). Cycles are
 * checked between files, so two files of one layer cannot import each other either.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { execSync } from "node:child_process";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The tree to check: the repository, or a folder given as the first argument (the checker's own test). */
const root = resolve(process.argv[2] ?? resolve(dirname(fileURLToPath(import.meta.url)), ".."));

/** Bottom-up: each entry is a layer; a path belongs to the first prefix it starts with. */
export const LAYERS = [
  ["src/lib/", "src/crypto/", "src/config.ts", "src/protocol/", "src/cron/"],
  ["src/db/", "src/objects/"],
  ["src/channels/"],
  ["src/agent/"],
  ["src/pipeline/"],
  ["src/scheduler/"],
  ["src/api/"],
  ["src/cli/"],
  ["workers/"],
];
/** What bridge/ may import from src/: the web-standard pieces it shares with the Worker. */
const BRIDGE_MAY_USE = ["src/lib/", "src/crypto/", "src/config.ts", "src/channels/", "src/protocol/", "src/agent/prices.json", "src/agent/pricing.ts"];
/** Platform code is reached only through the registry, never from the layers above channels. */
const PLATFORM_ONLY_VIA_REGISTRY = /^src\/channels\/(?!shared\/|registry)[^/]+\//;
/** Cloudflare Email Routing calls the Worker's `email` handler, not /hooks: that entry belongs to the e-mail platform. */
const PLATFORM_ENTRY_POINTS = { "workers/email.ts": "src/channels/email/" };

function layerOf(path) {
  const i = LAYERS.findIndex((prefixes) => prefixes.some((p) => path.startsWith(p)));
  return i === -1 ? null : i;
}

const isTest = (f) => /\.test\.tsx?$|\/fake-[^/]*\.ts$|^test\/|^bench\//.test(f);
function listFiles() {
  if (existsSync(resolve(root, ".git")))
    return execSync("git ls-files --cached --others --exclude-standard -- src workers bridge", { cwd: root, encoding: "utf8" }).split("\n");
  const out = [];
  const walk = (dir) => {
    if (!existsSync(resolve(root, dir))) return;
    for (const e of readdirSync(resolve(root, dir), { withFileTypes: true })) {
      if (e.name === "node_modules") continue;
      if (e.isDirectory()) walk(`${dir}/${e.name}`);
      else out.push(`${dir}/${e.name}`);
    }
  };
  for (const top of ["src", "workers", "bridge"]) walk(top);
  return out;
}
const files = listFiles().filter((f) => /\.(ts|tsx)$/.test(f) && !f.endsWith(".d.ts") && !isTest(f));

const EXTS = ["", ".ts", ".tsx", "/index.ts"];
function resolveImport(from, spec) {
  const base = resolve(root, dirname(from), spec);
  for (const e of EXTS) if (existsSync(base + e) && statSync(base + e).isFile()) return relative(root, base + e);
  return null;
}

const edges = new Map();
const problems = [];
for (const file of files) {
  const text = readFileSync(resolve(root, file), "utf8");
  const targets = [];
  // `import { z } from "zod"` keeps every locale and the JSON-schema code in the Worker bundle
  // (about 170 KiB gzip); the namespace import lets the bundler drop what is not used.
  if (!file.startsWith("bridge/") && /import\s*\{[^}]*\bz\b[^}]*\}\s*from\s*["']zod["']/.test(text))
    problems.push(`${file}: import zod as \`import * as z from "zod"\` (a named import bundles all of zod)`);
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*["'](\.{1,2}(?:\/[^"']*)?)["']|import\(\s*["'](\.{1,2}(?:\/[^"']*)?)["']\s*\)/g)) {
    const spec = m[1] ?? m[2];
    const target = resolveImport(file, spec);
    if (!target || isTest(target)) continue;
    targets.push(target);
    const typeOnly = /^\s*(?:import|export)\s+type\s/.test(m[0].trimStart());
    if (file.startsWith("bridge/")) {
      if (target.startsWith("src/") && !BRIDGE_MAY_USE.some((p) => target.startsWith(p)))
        problems.push(`${file} → ${target}: the bridge may use only ${BRIDGE_MAY_USE.join(", ")} from src/`);
      continue;
    }
    const from = layerOf(file);
    const to = layerOf(target);
    if (from !== null && to !== null && to > from && !typeOnly)
      problems.push(`${file} → ${target}: imports up a layer (${LAYERS[from][0]} is below ${LAYERS[to][0]})`);
    if (from !== null && to !== null && to > from && typeOnly) problems.push(`${file} → ${target}: imports a type from a layer above`);
    const platformEntry = PLATFORM_ENTRY_POINTS[file] && target.startsWith(PLATFORM_ENTRY_POINTS[file]);
    if (PLATFORM_ONLY_VIA_REGISTRY.test(target) && !platformEntry && !file.startsWith("src/channels/")) {
      problems.push(`${file} → ${target}: platform code is reached through src/channels/registry.ts`);
    }
  }
  edges.set(file, targets);
}

// Cycles between files (Tarjan's strongly connected components).
let index = 0;
const stack = [];
const meta = new Map();
function strongConnect(v) {
  meta.set(v, { index, low: index, onStack: true });
  index++;
  stack.push(v);
  for (const w of edges.get(v) ?? []) {
    if (!edges.has(w)) continue;
    if (!meta.has(w)) {
      strongConnect(w);
      meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).low);
    } else if (meta.get(w).onStack) meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).index);
  }
  if (meta.get(v).low === meta.get(v).index) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      meta.get(w).onStack = false;
      component.push(w);
    } while (w !== v);
    if (component.length > 1) problems.push(`import cycle: ${component.sort().join(" ↔ ")}`);
  }
}
for (const v of edges.keys()) if (!meta.has(v)) strongConnect(v);

if (problems.length) {
  console.error(`layers: ${problems.length} problem(s)\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`layers: ${files.length} files, no import up a layer, no cycle`);
