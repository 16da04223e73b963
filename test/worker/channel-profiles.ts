/**
 * Every channel type in the registry, with its test profile (src/channels/<platform>/test-profile.ts,
 * found by name so new platforms are covered without editing the shared tests). A type without
 * a profile is reported, so the shared tests fail until the platform adds one.
 */
import { channelRegistry } from "../../src/channels/registry";
import type { ChannelAdapter } from "../../src/channels/shared/types";
import type { ChannelTestProfile } from "../support/channel-test-profile";

/** Types the gateway creates itself; the admin API refuses them. */
const BUILT_IN_TYPES = new Set(["web"]);

const modules = import.meta.glob<{ default: ChannelTestProfile[] }>("../../src/channels/*/test-profile.ts", { eager: true });
const profiles = new Map(Object.values(modules).flatMap((m) => m.default.map((p) => [p.type, p] as const)));

export interface ProfiledChannel {
  adapter: ChannelAdapter<unknown>;
  profile: ChannelTestProfile;
}

export const profiledChannels: ProfiledChannel[] = [...channelRegistry.values()]
  .filter((a) => !BUILT_IN_TYPES.has(a.type) && profiles.has(a.type))
  .map((adapter) => ({ adapter, profile: profiles.get(adapter.type)! }));

/** Registry types no platform folder has a profile for. */
export const unprofiledTypes: string[] = [...channelRegistry.keys()].filter((t) => !BUILT_IN_TYPES.has(t) && !profiles.has(t));
