/** Loads a channel with its adapter and its opened (decrypted) config, for the hook and the sender's object. */
import { and, eq } from "drizzle-orm";
import { parseAgentSettings, type AgentSettings } from "../agent/settings";
import { getAdapter } from "../channels/registry";
import { openConfig } from "../channels/shared/config-codec";
import { keyringFor, type MasterKeys } from "../crypto/keyring";
import type { ChannelAdapter } from "../channels/shared/types";
import type { Db } from "../db/client";
import { channels } from "../db/schema";
import type { SenderPolicy } from "../lib/sender-policy";

type ChannelRow = typeof channels.$inferSelect;

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
  /** The stored status, as loaded (the hook turns `awaiting_event` into ok on the first verified request). */
  status?: string;
  /** Opened config: secrets in clear. Never log or return it. */
  config: unknown;
}

/** A loaded channel without its adapter: plain data, so the hook can hand it to the sender's object. */
export type ChannelSnapshot = Omit<LoadedChannel, "adapter">;

/**
 * Opened configs by channel, with the stored (sealed) JSON and the keys they were opened with.
 * The row is still read on every load, so an edit or a rotated secret applies at once; only the
 * decryption and the JSON parsing are skipped while the stored text and the keys are unchanged.
 */
const opened = new Map<string, { stored: string; agentStored: string | null; keys: string; config: unknown; agent: AgentSettings | null }>();
const OPENED_MAX = 256;

/** The adapter for a row's type; a plugin's faults mark the channel (markChannelFault). */
function adapterFor(db: Db, type: string): ChannelAdapter<unknown> | undefined {
  return getAdapter(type, (id, error) => markChannelFault(db, id, error));
}

export async function loadChannel(db: Db, channelId: string, keys: MasterKeys): Promise<LoadedChannel | null> {
  const row = await db.select().from(channels).where(eq(channels.id, channelId)).get();
  return row ? openChannel(db, row, keys) : null;
}

/** A channel row with its adapter and opened config; null when no adapter serves its type. */
export async function openChannel(db: Db, row: ChannelRow, keys: MasterKeys): Promise<LoadedChannel | null> {
  const adapter = adapterFor(db, row.type);
  if (!adapter) return null;
  const keyId = JSON.stringify([keys.LOOPGATE_MASTER_KEY ?? null, keys.LOOPGATE_MASTER_KEY_PREVIOUS ?? null]);
  const hit = opened.get(row.id);
  if (hit && hit.stored === row.config && hit.agentStored === row.agent && hit.keys === keyId) {
    return { ...channelSettings(row, hit.agent), adapter, config: hit.config };
  }
  const config = await openConfig(adapter, JSON.parse(row.config) as Record<string, unknown>, await keyringFor(keys));
  const agent = parseAgentSettings(row.agent);
  if (opened.size >= OPENED_MAX) opened.clear();
  opened.set(row.id, { stored: row.config, agentStored: row.agent, keys: keyId, config, agent });
  return { ...channelSettings(row, agent), adapter, config };
}

/** The snapshot's adapter looked up again on the receiving side; null when its type is gone. */
export function fromSnapshot(db: Db, snapshot: ChannelSnapshot): LoadedChannel | null {
  const adapter = adapterFor(db, snapshot.type);
  return adapter ? { ...snapshot, adapter } : null;
}

export function toSnapshot(channel: LoadedChannel): ChannelSnapshot {
  // The status is the hook's business (markChannelHeard); the sender's object does not need it.
  const { adapter: _adapter, status: _status, ...snapshot } = channel;
  return snapshot;
}

/** A plugin failed for this channel: its status says so (GET /api/channels/:id) until it is set up or saved again. */
export async function markChannelFault(db: Db, channelId: string, error: string): Promise<void> {
  await db.update(channels).set({ status: "error", lastError: error }).where(eq(channels.id, channelId));
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
    status: row.status,
  };
}

/** The status of a channel whose platform has not sent anything yet (ChannelAdapter.awaitsFirstEvent). */
export const AWAITING_FIRST_EVENT = "awaiting_event";

/**
 * The platform was heard from (a verified webhook, a routed mail): a channel that waited for its
 * first event is ok from now on. Only that status changes, so the write happens once.
 */
export async function markChannelHeard(db: Db, channel: Pick<LoadedChannel, "id" | "status">): Promise<void> {
  if (channel.status !== AWAITING_FIRST_EVENT) return;
  await db
    .update(channels)
    .set({ status: "ok", lastError: null, statusDetail: null })
    .where(and(eq(channels.id, channel.id), eq(channels.status, AWAITING_FIRST_EVENT)));
}
