/** Loads a channel with its adapter and its opened (decrypted) config, for the hook and the sender's object. */
import { eq } from "drizzle-orm";
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
  /** Opened config: secrets in clear. Never log or return it. */
  config: unknown;
}

export async function loadChannel(db: Db, channelId: string, keys: MasterKeys): Promise<LoadedChannel | null> {
  const row = await db.select().from(channels).where(eq(channels.id, channelId)).get();
  if (!row) return null;
  const adapter = getAdapter(row.type, (id, error) => markChannelFault(db, id, error));
  if (!adapter) return null;
  const config = await openConfig(adapter, JSON.parse(row.config) as Record<string, unknown>, await keyringFor(keys));
  return { ...channelSettings(row), adapter, config };
}

/** A plugin failed for this channel: its status says so (GET /api/channels/:id) until it is set up or saved again. */
export async function markChannelFault(db: Db, channelId: string, error: string): Promise<void> {
  await db.update(channels).set({ status: "error", lastError: error }).where(eq(channels.id, channelId));
}

/** A channel row's settings with their stored JSON parsed: what the pipeline obeys and the API shows. */
export function channelSettings(row: ChannelRow): Omit<LoadedChannel, "adapter" | "config"> {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    policy: row.policy,
    allowlist: JSON.parse(row.allowlist) as string[],
    rateLimitPerMinute: row.rateLimitPerMinute,
    agent: parseAgentSettings(row.agent),
  };
}
