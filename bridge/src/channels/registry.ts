/**
 * The platforms this bridge can run, found at start-up: every folder of bridge/src/channels/
 * with an index.ts (default export: one BridgeChannelType or a list), and every installed
 * package whose package.json declares `"loopgate": {"bridge": "<module>"}` (docs/channels/plugins.md).
 * A module that fails to load or exports garbage is logged and left out; the others still run.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Logger } from "../../../src/lib/log";
import type { BridgeChannelType } from "./shared/types";

const CHANNELS_DIR = import.meta.dirname;
const NOT_PLATFORMS = new Set(["shared"]);

const types = new Map<string, BridgeChannelType>();
/** The channel types loaded by loadBridgeChannels(); empty before it ran. */
export const bridgeChannelTypes: ReadonlyMap<string, BridgeChannelType> = types;

/** A module the bridge found but could not use. */
export interface BridgeLoadError {
  source: string;
  error: string;
}

function platformModules(): { source: string; file: string }[] {
  return readdirSync(CHANNELS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !NOT_PLATFORMS.has(d.name) && existsSync(join(CHANNELS_DIR, d.name, "index.ts")))
    .map((d) => ({ source: d.name, file: join(CHANNELS_DIR, d.name, "index.ts") }));
}

/** Installed packages with a `loopgate.bridge` entry, looked up in `nodeModules`. */
export function bridgePluginModules(nodeModules: string): { source: string; file: string }[] {
  if (!existsSync(nodeModules)) return [];
  const names: string[] = [];
  for (const d of readdirSync(nodeModules, { withFileTypes: true })) {
    if (d.name.startsWith(".")) continue;
    if (d.name.startsWith("@")) for (const s of readdirSync(join(nodeModules, d.name))) names.push(`${d.name}/${s}`);
    else names.push(d.name);
  }
  const found: { source: string; file: string }[] = [];
  for (const name of names.sort()) {
    try {
      const pkg = JSON.parse(readFileSync(join(nodeModules, name, "package.json"), "utf8")) as { version?: string; loopgate?: { bridge?: unknown } };
      if (typeof pkg.loopgate?.bridge === "string")
        found.push({ source: `${name}@${pkg.version ?? "0.0.0"}`, file: resolve(nodeModules, name, pkg.loopgate.bridge) });
    } catch {
      // not a package folder
    }
  }
  return found;
}

function typeProblem(value: unknown): string | null {
  if (typeof value !== "object" || value === null) return "the export is not a bridge channel object";
  const t = value as Record<string, unknown>;
  if (typeof t.type !== "string" || !/^[a-z][a-z0-9-]{1,39}$/.test(t.type)) return "type must be a lower-case id (a-z, 0-9, -)";
  if (typeof t.start !== "function") return `${t.type}: start must be a function`;
  return null;
}

/** Loads the built-in platforms and the installed bridge plugins; returns what could not be loaded. */
export async function loadBridgeChannels(log: Logger, nodeModules = resolve(CHANNELS_DIR, "../../../node_modules")): Promise<BridgeLoadError[]> {
  const errors: BridgeLoadError[] = [];
  for (const { source, file } of [...platformModules(), ...bridgePluginModules(nodeModules)]) {
    let exported: unknown;
    try {
      exported = ((await import(pathToFileURL(file).href)) as { default?: unknown }).default;
    } catch (err) {
      errors.push({ source, error: `could not be loaded: ${err instanceof Error ? err.message : String(err)}` });
      continue;
    }
    for (const candidate of Array.isArray(exported) ? exported : [exported]) {
      const problem = typeProblem(candidate);
      const type = (candidate as BridgeChannelType).type;
      if (problem) errors.push({ source, error: problem });
      else if (types.has(type)) errors.push({ source, error: `channel type "${type}" is already provided by another module` });
      else types.set(type, candidate as BridgeChannelType);
    }
  }
  for (const e of errors) log.error("channel module left out", { source: e.source, error: e.error });
  return errors;
}
