/**
 * Every channel type the gateway knows, from the modules the build found
 * (registry.generated.ts: the platform folders of src/channels/ and installed plugin packages).
 * A new platform is one folder with an index.ts default-exporting its adapter(s); nothing else
 * changes. Plugin adapters are checked here and wrapped by plugin-guard.ts, so a broken plugin
 * is left out or fails alone. See docs/channels.md and docs/channels/plugins.md.
 */
import { guardPlugin, type FaultSink } from "./plugin-guard";
import { builtInModules, pluginModules } from "./registry.generated";
import type { ChannelModule } from "./shared/module";
import type { ChannelAdapter } from "./shared/types";

/** A module whose export could not be used, and why; its channels are not offered. */
export interface ChannelLoadError {
  source: string;
  error: string;
}

const OPTIONAL_METHODS = ["prepareConfig", "verify", "fetchAttachment", "setup"] as const;

/** Why `value` is not a usable adapter, or null when it is. */
export function adapterProblem(value: unknown): string | null {
  if (typeof value !== "object" || value === null) return "the export is not an adapter object";
  const a = value as Record<string, unknown>;
  if (typeof a.type !== "string" || !/^[a-z][a-z0-9-]{1,39}$/.test(a.type)) return "type must be a lower-case id (a-z, 0-9, -)";
  if (typeof a.description !== "string") return `${a.type}: description must be a string`;
  if (typeof (a.configSchema as { safeParse?: unknown } | undefined)?.safeParse !== "function") return `${a.type}: configSchema must be a zod schema`;
  if (!Array.isArray(a.secretFields) || !a.secretFields.every((f) => typeof f === "string")) return `${a.type}: secretFields must be a list of strings`;
  if (typeof a.maxMessageLength !== "number" || !Number.isInteger(a.maxMessageLength) || a.maxMessageLength < 1)
    return `${a.type}: maxMessageLength must be a positive integer`;
  if (typeof a.send !== "function") return `${a.type}: send must be a function`;
  for (const m of OPTIONAL_METHODS) if (a[m] !== undefined && typeof a[m] !== "function") return `${a.type}: ${m} must be a function when present`;
  return null;
}

/** The adapters of `modules`, checked; what could not be used goes to `errors`. */
export function loadModules(modules: readonly ChannelModule[], taken: ReadonlySet<string>, errors: ChannelLoadError[]): Map<string, ChannelAdapter<unknown>> {
  const loaded = new Map<string, ChannelAdapter<unknown>>();
  for (const { source, exports } of modules) {
    const list = Array.isArray(exports) ? exports : [exports];
    for (const candidate of list) {
      const problem = adapterProblem(candidate);
      const type = (candidate as { type: string }).type;
      if (problem) errors.push({ source, error: problem });
      else if (taken.has(type) || loaded.has(type)) errors.push({ source, error: `channel type "${type}" is already provided by another module` });
      else loaded.set(type, candidate as ChannelAdapter<unknown>);
    }
  }
  return loaded;
}

/** Modules that were found but could not be loaded; shown in GET /api/channels/types. */
export const channelLoadErrors: ChannelLoadError[] = [];
const builtIns = loadModules(builtInModules, new Set(), channelLoadErrors);
const plugins = loadModules(pluginModules, new Set(builtIns.keys()), channelLoadErrors);
/** Which package each plugin type came from (`name@version`), for fault messages. */
const pluginSources = new Map(
  pluginModules.flatMap(({ source, exports }) => (Array.isArray(exports) ? exports : [exports]).map((e) => [(e as { type?: string })?.type, source] as const)),
);
const guardedPlugins = new Map([...plugins].map(([type, a]) => [type, guardPlugin(a, pluginSources.get(type) ?? type)]));

export const channelRegistry: ReadonlyMap<string, ChannelAdapter<unknown>> = new Map([...builtIns, ...guardedPlugins]);

/** True when `type` comes from an installed plugin package rather than src/channels/. */
export function isPluginType(type: string): boolean {
  return plugins.has(type);
}

/**
 * The adapter of `type`; a plugin's comes wrapped, and with `onFault` its failures are also
 * reported for the channel (the pipeline marks the channel's status with them).
 */
export function getAdapter(type: string, onFault?: FaultSink): ChannelAdapter<unknown> | undefined {
  const plugin = plugins.get(type);
  if (plugin && onFault) return guardPlugin(plugin, pluginSources.get(type) ?? type, onFault);
  return channelRegistry.get(type);
}
