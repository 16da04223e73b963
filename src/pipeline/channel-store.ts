/** Loads a channel with its adapter and its opened (decrypted) config, for the hook and the sender's object. */
import { eq } from "drizzle-orm";
import { parseAgentSettings, type AgentSettings } from "../agent/settings";
import { getAdapter } from "../channels/registry";
import { openConfig, secretBoxFor } from "../channels/shared/config-codec";
import type { ChannelAdapter } from "../channels/shared/types";
import type { Db } from "../db/client";
import { channels } from "../db/schema";

type ChannelRow = typeof channels.$inferSelect;

export type SenderPolicy = "pairing" | "allowlist" | "open" | "disabled";

export interface LoadedChannel {
  id: string;
  type: string;
  name: string;
  policy: SenderPolicy;
  allowlist: string[];
  rateLimitPerMinute: number | null;
  /** Agent overrides (model, max tokens, system prompt, tools); null = gateway defaults. */
  agent: AgentSettings | null;
  adapter: ChannelAdapter<unknown>;
  /** Opened config: secrets in clear. Never log or return it. */
  config: unknown;
}

/** A loaded channel without its adapter: plain data, so the hook can hand it to the sender's object. */
export type ChannelSnapshot = Omit<LoadedChannel, "adapter">;

/**
 * Opened configs by channel, with the stored (sealed) JSON they were opened from. The row is
 * still read on every load, so an edit or a rotated secret applies at once; only the
 * decryption and the JSON parsing are skipped while the stored text is unchanged.
 */
const opened = new Map<string, { stored: string; agentStored: string | null; masterKey: string | undefined; config: unknown; agent: AgentSettings | null }>();
const OPENED_MAX = 256;

export async function loadChannel(db: Db, channelId: string, masterKey: string | undefined): Promise<LoadedChannel | null> {
  const row = await db.select().from(channels).where(eq(channels.id, channelId)).get();
  return row ? openChannel(row, masterKey) : null;
}

/** A channel row with its adapter and opened config; null when no adapter serves its type. */
export async function openChannel(row: ChannelRow, masterKey: string | undefined): Promise<LoadedChannel | null> {
  const adapter = getAdapter(row.type);
  if (!adapter) return null;
  const hit = opened.get(row.id);
  if (hit && hit.stored === row.config && hit.agentStored === row.agent && hit.masterKey === masterKey) {
    return { ...channelSettings(row, hit.agent), adapter, config: hit.config };
  }
  const config = await openConfig(adapter, JSON.parse(row.config) as Record<string, unknown>, await secretBoxFor(masterKey));
  const agent = parseAgentSettings(row.agent);
  if (opened.size >= OPENED_MAX) opened.clear();
  opened.set(row.id, { stored: row.config, agentStored: row.agent, masterKey, config, agent });
  return { ...channelSettings(row, agent), adapter, config };
}

/** The snapshot's adapter looked up again on the receiving side; null when its type is gone. */
export function fromSnapshot(snapshot: ChannelSnapshot): LoadedChannel | null {
  const adapter = getAdapter(snapshot.type);
  return adapter ? { ...snapshot, adapter } : null;
}

export function toSnapshot(channel: LoadedChannel): ChannelSnapshot {
  const { adapter: _adapter, ...snapshot } = channel;
  return snapshot;
}

/** A channel row's settings with their stored JSON parsed: what the pipeline obeys and the API shows. */
export function channelSettings(row: ChannelRow, agent: AgentSettings | null = parseAgentSettings(row.agent)): Omit<LoadedChannel, "adapter" | "config"> {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    policy: row.policy,
    allowlist: JSON.parse(row.allowlist) as string[],
    rateLimitPerMinute: row.rateLimitPerMinute,
    agent,
  };
}
