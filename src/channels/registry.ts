/**
 * Every channel type the gateway knows, from the modules the build found
 * (registry.generated.ts: the platform folders of src/channels/ and installed plugin packages).
 * A new platform is one folder with an index.ts default-exporting its adapter(s); nothing else
 * changes. See docs/channels.md and docs/channels/plugins.md.
 */
import { builtInModules, pluginModules } from "./registry.generated";
import type { ChannelModule } from "./shared/module";
import type { ChannelAdapter } from "./shared/types";

/** A module whose export could not be used, and why; its channels are not offered. */
export interface ChannelLoadError {
  source: string;
  error: string;
}

/** Why `value` is not a usable adapter, or null when it is. */
function adapterProblem(value: unknown): string | null {
  if (typeof value !== "object" || value === null) return "the export is not an adapter object";
  const a = value as Record<string, unknown>;
  if (typeof a.type !== "string" || !/^[a-z][a-z0-9-]{1,39}$/.test(a.type)) return "type must be a lower-case id (a-z, 0-9, -)";
  if (typeof a.description !== "string") return `${a.type}: description must be a string`;
  if (typeof (a.configSchema as { safeParse?: unknown } | undefined)?.safeParse !== "function") return `${a.type}: configSchema must be a zod schema`;
  if (!Array.isArray(a.secretFields) || !a.secretFields.every((f) => typeof f === "string")) return `${a.type}: secretFields must be a list of strings`;
  if (typeof a.maxMessageLength !== "number" || !(a.maxMessageLength > 0)) return `${a.type}: maxMessageLength must be a positive number`;
  if (typeof a.send !== "function") return `${a.type}: send must be a function`;
  return null;
}

function load(modules: ChannelModule[], into: Map<string, ChannelAdapter<unknown>>, errors: ChannelLoadError[]): void {
  for (const { source, exports } of modules) {
    const list = Array.isArray(exports) ? exports : [exports];
    for (const candidate of list) {
      const problem = adapterProblem(candidate);
      const type = (candidate as { type?: string } | null)?.type;
      if (problem) errors.push({ source, error: problem });
      else if (type && into.has(type)) errors.push({ source, error: `channel type "${type}" is already provided by another module` });
      else into.set(type!, candidate as ChannelAdapter<unknown>);
    }
  }
}

const adapters = new Map<string, ChannelAdapter<unknown>>();
/** Modules that were found but could not be loaded; shown in GET /api/channels/types. */
export const channelLoadErrors: ChannelLoadError[] = [];
load(builtInModules, adapters, channelLoadErrors);
load(pluginModules, adapters, channelLoadErrors);

export const channelRegistry: ReadonlyMap<string, ChannelAdapter<unknown>> = adapters;

export function getAdapter(type: string): ChannelAdapter<unknown> | undefined {
  return channelRegistry.get(type);
}
