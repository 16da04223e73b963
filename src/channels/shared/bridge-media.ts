/**
 * Files the bridge hands over for its channels (Signal, WhatsApp Web, Matrix): only the bridge
 * can get their bytes (signal-cli keeps them on its disk, WhatsApp Web and encrypted Matrix
 * media are end-to-end encrypted), so before it forwards a message the bridge uploads each file
 * to `POST /bridge/media` (src/api/bridge-media.ts), which stages it in the media bucket under
 * `bridge-in/<channel id>/` and answers a `bridge-media:<key>` reference; the inbound message
 * carries that reference as the attachment's `url`. When the turn runs (stage 7,
 * src/agent/media.ts), the channel's adapter reads the key back here, only under its own
 * channel's prefix and at most the limit. The heartbeat sweeps staged copies after a day. The
 * reading and the sweep are e-mail staging's too (staged-files.ts); the file kept for the
 * conversation is the one media.ts stores under `media/`.
 */
import { readStagedFile, type StagingArea, type SweptBucket, sweepStagedFiles } from "./staged-files";
import type { Attachment, FetchedAttachment, StagedFiles } from "./types";

/** Where uploaded files wait for their turn; swept by the heartbeat. */
export const BRIDGE_STAGED_PREFIX = "bridge-in/";
export const BRIDGE_MEDIA_REFERENCE = "bridge-media:";

/** A fresh key per upload: a retried upload stages a new copy, and the old one is swept. */
export function bridgeMediaKey(channelId: string): string {
  return `${BRIDGE_STAGED_PREFIX}${channelId}/${crypto.randomUUID()}`;
}

const BRIDGE_AREA: StagingArea = {
  prefix: BRIDGE_STAGED_PREFIX,
  reference: BRIDGE_MEDIA_REFERENCE,
  notStaged: "the bridge did not hand over this file",
  noBucket: "no media bucket to read the file from",
  gone: "the file the bridge handed over is no longer kept",
};

/** The adapter's `fetchAttachment` for bridged channels whose bridge uploads files. */
export function fetchBridgeMedia(attachment: Attachment, ctx: { channelId: string; stagedFiles?: StagedFiles }, maxBytes: number): Promise<FetchedAttachment> {
  return readStagedFile(BRIDGE_AREA, attachment, ctx, maxBytes);
}

/** Run by the Cron heartbeat: deletes uploads older than a day (STAGED_FILE_TTL_MS). */
export function sweepBridgeMedia(bucket: SweptBucket, now: number): Promise<number> {
  return sweepStagedFiles(bucket, BRIDGE_STAGED_PREFIX, now);
}
