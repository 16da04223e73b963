/**
 * What a channel module exports, built in (src/channels/<platform>/index.ts) or a plugin
 * package's `loopgate.channel` entry: one adapter or a list of them, as its default export.
 */
import type { ChannelAdapter } from "./types";

/** One module found by scripts/gen-channel-registry.mjs. */
export interface ChannelModule {
  /** The platform folder, or `package@version` for a plugin. */
  source: string;
  /** The module's default export: an adapter or a list of adapters (unchecked until the registry loads it). */
  exports: unknown;
}

/** What a module should default-export; plugins may use it to type their export. */
export type ChannelModuleExport = ChannelAdapter<never> | readonly ChannelAdapter<never>[];
