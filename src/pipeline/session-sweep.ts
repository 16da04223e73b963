/**
 * Stage 6 housekeeping, run by the Cron heartbeat: conversations idle past the stale threshold
 * are marked stale; stale ones idle past the cleanup threshold have their history deleted
 * (by their own object) and are marked cleaned. A returning sender starts active again.
 */
import { and, eq, lt } from "drizzle-orm";
import type { GatewayConfig } from "../config";
import type { Db } from "../db/client";
import { sessions } from "../db/schema";

/** Cleanups per heartbeat, so one minute's work stays small however many sessions expire. */
const CLEANUP_BATCH = 50;

export async function sweepSessions(db: Db, cfg: GatewayConfig, now: number, cleanup: (channelId: string, senderId: string) => Promise<void>) {
  const staleBefore = now - cfg.SESSION_STALE_AFTER_MINUTES * 60_000;
  const cleanBefore = now - cfg.SESSION_CLEANUP_AFTER_DAYS * 86_400_000;
  const staled = await db
    .update(sessions)
    .set({ status: "stale" })
    .where(and(eq(sessions.status, "active"), lt(sessions.lastActivityAt, staleBefore)))
    .returning({ id: sessions.id });
  const expired = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.status, "stale"), lt(sessions.lastActivityAt, cleanBefore)))
    .limit(CLEANUP_BATCH);
  for (const s of expired) {
    await cleanup(s.channelId, s.senderId);
    await db
      .update(sessions)
      .set({ status: "cleaned" })
      .where(and(eq(sessions.id, s.id), eq(sessions.status, "stale")));
  }
  return { staled: staled.length, cleaned: expired.length };
}
