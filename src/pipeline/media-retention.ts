/**
 * Attachment retention, run by the Cron heartbeat: files kept in R2 longer than
 * MEDIA_RETENTION_DAYS are deleted from the bucket and their rows marked deleted (the rows stay:
 * the conversation view says the file expired, and usage keeps its figures).
 */
import { and, inArray, isNotNull, isNull, lt } from "drizzle-orm";
import type { GatewayConfig } from "../config";
import type { Db } from "../db/client";
import { mediaFiles } from "../db/schema";

/** Files removed per heartbeat (R2's delete takes up to 1,000 keys at once), so one minute's work stays small. */
const PRUNE_BATCH = 500;

/** The slice of an R2 bucket used here. */
export interface MediaBucket {
  delete(keys: string | string[]): Promise<void>;
}

export async function pruneMedia(db: Db, bucket: MediaBucket, cfg: GatewayConfig, now: number): Promise<number> {
  const before = now - cfg.MEDIA_RETENTION_DAYS * 86_400_000;
  const due = await db
    .select({ id: mediaFiles.id, r2Key: mediaFiles.r2Key })
    .from(mediaFiles)
    .where(and(lt(mediaFiles.createdAt, before), isNotNull(mediaFiles.r2Key), isNull(mediaFiles.deletedAt)))
    .limit(PRUNE_BATCH);
  if (!due.length) return 0;
  await bucket.delete(due.map((f) => f.r2Key!));
  // Marked only after the bucket confirmed: a failed delete is tried again next minute.
  for (let i = 0; i < due.length; i += 90)
    await db
      .update(mediaFiles)
      .set({ deletedAt: now })
      .where(
        inArray(
          mediaFiles.id,
          due.slice(i, i + 90).map((f) => f.id),
        ),
      );
  return due.length;
}
