/**
 * Files the bridge hands over for its channels (Signal, WhatsApp Web, Matrix): only the bridge
 * can get their bytes (signal-cli keeps them on its disk, WhatsApp Web and encrypted Matrix
 * media are end-to-end encrypted), so before it forwards a message the bridge uploads each file
 * to `POST /bridge/media` (src/api/bridge-media.ts), which stages it in the media bucket under
 * `bridge-in/<channel id>/` and answers a `bridge-media:<key>` reference; the inbound message
 * carries that reference as the attachment's `url`. When the turn runs (stage 7,
 * src/agent/media.ts), the channel's adapter reads the key back here, only under its own
 * channel's prefix and at most the limit. The heartbeat sweeps staged copies after a day,
 * like e-mail's (the file kept for the conversation is the one media.ts stores under `media/`).
 */
import { humanSize } from "./media-limits";
import type { Attachment, FetchedAttachment, StagedFiles } from "./types";

/** Where uploaded files wait for their turn; swept by the heartbeat. */
export const BRIDGE_STAGED_PREFIX = "bridge-in/";
export const BRIDGE_MEDIA_REFERENCE = "bridge-media:";

/** A fresh key per upload: a retried upload stages a new copy, and the old one is swept. */
export function bridgeMediaKey(channelId: string): string {
  return `${BRIDGE_STAGED_PREFIX}${channelId}/${crypto.randomUUID()}`;
}

/** The adapter's `fetchAttachment` for bridged channels whose bridge uploads files. */
export async function fetchBridgeMedia(
  attachment: Attachment,
  ctx: { channelId: string; stagedFiles?: StagedFiles },
  maxBytes: number,
): Promise<FetchedAttachment> {
  const key = attachment.url?.startsWith(BRIDGE_MEDIA_REFERENCE) ? attachment.url.slice(BRIDGE_MEDIA_REFERENCE.length) : "";
  // Only this channel's own uploads: a reference cannot reach another channel's (or e-mail's) files.
  if (!key.startsWith(`${BRIDGE_STAGED_PREFIX}${ctx.channelId}/`) || key.includes(".."))
    return { ok: false, reason: "unavailable", error: "the bridge did not hand over this file" };
  if (!ctx.stagedFiles) return { ok: false, reason: "unavailable", error: "no media bucket to read the file from" };
  const object = await ctx.stagedFiles.get(key);
  if (!object) return { ok: false, reason: "unavailable", error: "the file the bridge handed over is no longer kept" };
  if (object.size > maxBytes) {
    await object.body?.cancel();
    return { ok: false, reason: "too_large", size: object.size, error: `the file is ${humanSize(object.size)}, over the ${humanSize(maxBytes)} limit` };
  }
  const bytes = new Uint8Array(await object.arrayBuffer());
  return { ok: true, bytes, mediaType: object.httpMetadata?.contentType ?? attachment.type };
}

/** Uploads wait for their turn, which runs within minutes; a day leaves room for retries. */
export const BRIDGE_STAGED_TTL_MS = 86_400_000;
/** Keys deleted per listing page, and pages read per heartbeat (the rest waits a minute). */
const SWEEP_PAGE = 500;
const SWEEP_PAGES = 10;

/** The slice of an R2 bucket the heartbeat's sweep uses. */
export interface SweptBucket {
  list(options: {
    prefix: string;
    cursor?: string;
    limit?: number;
  }): Promise<{ objects: { key: string; uploaded: Date }[]; truncated: boolean; cursor?: string }>;
  delete(keys: string[]): Promise<void>;
}

/** Run by the Cron heartbeat: deletes uploads older than BRIDGE_STAGED_TTL_MS. Keys list by name, not age, so it pages through. */
export async function sweepBridgeMedia(bucket: SweptBucket, now: number): Promise<number> {
  let deleted = 0;
  let cursor: string | undefined;
  for (let page = 0; page < SWEEP_PAGES; page++) {
    const listed = await bucket.list({ prefix: BRIDGE_STAGED_PREFIX, limit: SWEEP_PAGE, ...(cursor ? { cursor } : {}) });
    const old = listed.objects.filter((o) => o.uploaded.getTime() < now - BRIDGE_STAGED_TTL_MS).map((o) => o.key);
    if (old.length) await bucket.delete(old);
    deleted += old.length;
    if (!listed.truncated || !listed.cursor) break;
    cursor = listed.cursor;
  }
  return deleted;
}
