/**
 * Whether a channel's replies are getting through: the replies that failed to be delivered since
 * the channel's last delivered one, with the last error. A channel whose inbound webhook works
 * but whose replies all bounce (a revoked token, a wrong reply URL) must not look healthy, so
 * `GET /api/channels` carries this beside each channel's own status. Only the last week counts:
 * failures older than that are history, not the channel's state.
 */
import { and, desc, gt, inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { runs } from "../db/schema";

export const DELIVERY_WINDOW_MS = 7 * 86_400_000;
/** Enough settled replies to find each channel's last success on a busy gateway. */
const MAX_ROWS = 2000;

export interface DeliveryHealth {
  /** Replies that could not be delivered since the last one that was (0: all good). */
  failedSinceLastDelivery: number;
  lastError: string | null;
  lastFailedAt: number | null;
}

export async function deliveryHealth(db: Db, now: number): Promise<Map<string, DeliveryHealth>> {
  const rows = await db
    .select({ channelId: runs.channelId, status: runs.deliveryStatus, error: runs.deliveryError, at: runs.createdAt })
    .from(runs)
    .where(and(gt(runs.createdAt, now - DELIVERY_WINDOW_MS), inArray(runs.deliveryStatus, ["sent", "failed"])))
    .orderBy(desc(runs.createdAt))
    .limit(MAX_ROWS);
  const health = new Map<string, DeliveryHealth>();
  const settled = new Set<string>();
  for (const r of rows) {
    if (settled.has(r.channelId)) continue;
    if (r.status === "sent") {
      settled.add(r.channelId);
      continue;
    }
    const h = health.get(r.channelId) ?? { failedSinceLastDelivery: 0, lastError: r.error, lastFailedAt: r.at };
    h.failedSinceLastDelivery++;
    health.set(r.channelId, h);
  }
  return health;
}
