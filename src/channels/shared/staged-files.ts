/**
 * Files staged in the media bucket until their turn reads them (stage 7, src/agent/media.ts):
 * e-mail attachments the `email` handler stages (src/channels/email/staged-parts.ts) and files a
 * bridge hands over (src/channels/shared/bridge-media.ts). Both keep a file under
 * `<prefix><channel id>/...`, name it to the turn with a reference (`<scheme><key>`), read it
 * back here only under the channel's own prefix and at most the limit, and are swept by the
 * heartbeat after a day. Only the prefix, the reference scheme and the wording differ.
 */
import { humanSize } from "./media-limits";
import type { Attachment, FetchedAttachment, StagedFiles } from "./types";

/** One kind of staged file: where it lives, how a message refers to it, and how its absence reads. */
export interface StagingArea {
  /** The bucket prefix, ending in `/`; a channel's files are under `<prefix><channel id>/`. */
  prefix: string;
  /** The reference scheme in an attachment's `url`, e.g. `email-part:`. */
  reference: string;
  /** What the turn is told when the reference is not one of this channel's staged files. */
  notStaged: string;
  /** ... when no bucket is bound. */
  noBucket: string;
  /** ... when the file was swept or never written. */
  gone: string;
}

/** Staged files wait for their turn, which runs within minutes; a day leaves room for retries. */
export const STAGED_FILE_TTL_MS = 86_400_000;
/** Keys deleted per listing page (R2 lists and deletes up to 1,000 at once). */
const SWEEP_PAGE = 500;
/** Listing pages read per heartbeat: a day of staged files is small, and the rest waits a minute. */
const SWEEP_PAGES = 10;

/** Reads a staged file of this channel, at most `maxBytes`: the adapter's `fetchAttachment`. */
export async function readStagedFile(
  area: StagingArea,
  attachment: Attachment,
  ctx: { channelId: string; stagedFiles?: StagedFiles },
  maxBytes: number,
): Promise<FetchedAttachment> {
  const key = attachment.url?.startsWith(area.reference) ? attachment.url.slice(area.reference.length) : "";
  // Only this channel's own files: a reference cannot reach another channel's (or another kind's) files.
  if (!key.startsWith(`${area.prefix}${ctx.channelId}/`) || key.includes("..")) return { ok: false, reason: "unavailable", error: area.notStaged };
  if (!ctx.stagedFiles) return { ok: false, reason: "unavailable", error: area.noBucket };
  const object = await ctx.stagedFiles.get(key);
  if (!object) return { ok: false, reason: "unavailable", error: area.gone };
  if (object.size > maxBytes) {
    await object.body?.cancel();
    return { ok: false, reason: "too_large", size: object.size, error: `the file is ${humanSize(object.size)}, over the ${humanSize(maxBytes)} limit` };
  }
  const bytes = new Uint8Array(await object.arrayBuffer());
  return { ok: true, bytes, mediaType: object.httpMetadata?.contentType ?? attachment.type };
}

/** The slice of an R2 bucket the heartbeat's sweep uses. */
export interface SweptBucket {
  list(options: { prefix: string; cursor?: string; limit?: number }): Promise<{
    objects: { key: string; uploaded: Date }[];
    truncated: boolean;
    cursor?: string;
  }>;
  delete(keys: string[]): Promise<void>;
}

/** Run by the Cron heartbeat: deletes files under `prefix` older than STAGED_FILE_TTL_MS. Keys list by name, not age, so it pages through. */
export async function sweepStagedFiles(bucket: SweptBucket, prefix: string, now: number): Promise<number> {
  let deleted = 0;
  let cursor: string | undefined;
  for (let page = 0; page < SWEEP_PAGES; page++) {
    const listed = await bucket.list({ prefix, limit: SWEEP_PAGE, ...(cursor ? { cursor } : {}) });
    const old = listed.objects.filter((o) => o.uploaded.getTime() < now - STAGED_FILE_TTL_MS).map((o) => o.key);
    if (old.length) await bucket.delete(old);
    deleted += old.length;
    if (!listed.truncated || !listed.cursor) break;
    cursor = listed.cursor;
  }
  return deleted;
}
