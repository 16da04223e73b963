#!/usr/bin/env node
/**
 * Bundles system-prompt.md (the default system prompt, edited as a document) into the Worker as
 * src/agent/system-prompt.generated.ts. Run by wrangler before every dev and deploy build
 * ([build] in wrangler.toml); writes only on change, so it does not retrigger the watcher.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const source = readFileSync(resolve(root, "system-prompt.md"), "utf8");
const target = resolve(root, "src/agent/system-prompt.generated.ts");
const text = `// Generated from system-prompt.md by scripts/gen-system-prompt.mjs; edit the Markdown file, not this one.\nexport const DEFAULT_SYSTEM_PROMPT = ${JSON.stringify(source.trim())};\n`;
if (!existsSync(target) || readFileSync(target, "utf8") !== text) writeFileSync(target, text);
