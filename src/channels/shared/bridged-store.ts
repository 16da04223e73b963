/**
 * D1 side of the bridge link: which channels a bridge serves (configs opened for the
 * authenticated bridge only), and the up/down and per-channel states the dashboard reads.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { bridges, channels } from "../../db/schema";
import type { BridgeChannelConfig } from "../../protocol/bridge";
import { keyringFor, type MasterKeys } from "../../crypto/keyring";
import { openConfig } from "./config-codec";
import { getAdapter } from "../registry";

/** A channel belongs to the bridge its config names; bridgeId is never a secret field, so it is plain JSON. */
const servedBy = (bridgeId: string) => sql`json_extract(${channels.config}, '$.bridgeId') = ${bridgeId}`;

export interface ServedChannels {
  channels: BridgeChannelConfig[];
  /** Changes whenever a served channel is added, edited or removed. */
  fingerprint: string;
}

export async function channelsForBridge(db: Db, bridgeId: string, keys: MasterKeys): Promise<ServedChannels> {
  const rows = await db.select().from(channels).where(servedBy(bridgeId)).orderBy(channels.id);
  const box = await keyringFor(keys);
  const out: BridgeChannelConfig[] = [];
  for (const row of rows) {
    const adapter = getAdapter(row.type);
    if (!adapter) continue;
    const config = await openConfig(adapter, JSON.parse(row.config) as Record<string, unknown>, box);
    out.push({ id: row.id, type: row.type, name: row.name, config });
  }
  return { channels: out, fingerprint: rows.map((r) => `${r.id}@${r.updatedAt}`).join(",") };
}

export async function findBridge(db: Db, bridgeId: string) {
  return db
    .select({ id: bridges.id, name: bridges.name, status: bridges.status, notifyChannelId: bridges.notifyChannelId, notifyRecipient: bridges.notifyRecipient })
    .from(bridges)
    .where(eq(bridges.id, bridgeId))
    .get();
}

/** The bridge connected: up, and its channels' states come from its reports from now on. */
export async function markBridgeUp(db: Db, bridgeId: string, at: number): Promise<void> {
  await db.update(bridges).set({ status: "up", lastError: null, lastConnectedAt: at, lastSeenAt: at }).where(eq(bridges.id, bridgeId));
}

/** Heartbeats stopped: the bridge and every channel it serves are down. */
export async function markBridgeDown(db: Db, bridgeId: string, reason: string, lastSeenAt: number | null): Promise<void> {
  await db.batch([
    db
      .update(bridges)
      .set({ status: "down", lastError: reason, ...(lastSeenAt ? { lastSeenAt } : {}) })
      .where(eq(bridges.id, bridgeId)),
    db.update(channels).set({ status: "down", lastError: reason, statusDetail: null }).where(servedBy(bridgeId)),
  ]);
}

/**
 * A state reported by the bridge for one of its channels; ignored for channels it does not serve.
 * `detail` is what the admin needs to act on (a login QR string), kept until the next report.
 */
export async function setBridgedChannelState(
  db: Db,
  bridgeId: string,
  channelId: string,
  status: string,
  lastError: string | null,
  detail: string | null = null,
): Promise<void> {
  await db
    .update(channels)
    .set({ status, lastError, statusDetail: detail })
    .where(and(eq(channels.id, channelId), servedBy(bridgeId)));
}

/** The states of the channels a bridge serves, for GET /api/bridges. */
export async function bridgedChannelStates(db: Db, bridgeId: string) {
  return db
    .select({
      id: channels.id,
      type: channels.type,
      name: channels.name,
      status: channels.status,
      lastError: channels.lastError,
      statusDetail: channels.statusDetail,
    })
    .from(channels)
    .where(servedBy(bridgeId))
    .orderBy(channels.id);
}

/** Whether a channel is served by this bridge (such a channel cannot carry the bridge's own down notice). */
export async function isServedBy(db: Db, bridgeId: string, channelId: string): Promise<boolean> {
  return (
    (await db
      .select({ id: channels.id })
      .from(channels)
      .where(and(eq(channels.id, channelId), servedBy(bridgeId)))
      .get()) !== undefined
  );
}
