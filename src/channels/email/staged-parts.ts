/**
 * E-mail attachments as media. Unlike a chat platform, mail carries the file bytes inside the
 * message and keeps no copy to download later, so the Worker's `email` handler (stage 1,
 * workers/email.ts) stages each attachment the model could read in the R2 bucket before it
 * acknowledges the message, and names it with an `email-part:` reference; when the turn runs
 * (stage 7, src/agent/media.ts) the adapter's `fetchAttachment` reads it back, capped, through
 * the context's `stagedFiles`. Files the model never reads (zip, video) and files already over
 * their limit are not staged: the turn names or refuses them from their declared type and size.
 * Staged copies are read back and swept by the reader bridge uploads share (../shared/staged-files.ts); the
 * file kept for the conversation view is the one media.ts stores under `media/`.
 */
import type { Attachment as MailAttachment } from "postal-mime";
import { sha256Hex } from "../../crypto/hmac";
import { checkBeforeDownload, type MediaLimits } from "../shared/media-limits";
import { readStagedFile, STAGED_FILE_TTL_MS, type StagingArea, type SweptBucket, sweepStagedFiles } from "../shared/staged-files";
import type { Attachment, FetchedAttachment, StagedFiles } from "../shared/types";

/** Where staged parts live in the bucket; the heartbeat sweeps this prefix. */
export const STAGED_PREFIX = "email-in/";
const REFERENCE = "email-part:";

/** The slice of an R2 bucket the email handler writes to. */
export interface StagingBucket {
  put(key: string, value: Uint8Array, options: { httpMetadata: { contentType: string } }): Promise<unknown>;
}

function bytesOf(content: MailAttachment["content"]): Uint8Array {
  return typeof content === "string" ? new TextEncoder().encode(content) : new Uint8Array(content);
}

/**
 * Stages the message's parts and returns its attachment list with sizes and references. A part
 * that could not be written keeps no reference: the turn then tells the model it could not be
 * downloaded, and the sender still gets an answer.
 */
export async function stageAttachments(
  parts: readonly MailAttachment[],
  o: { bucket: StagingBucket | undefined; channelId: string; platformMessageId: string; limits: MediaLimits },
): Promise<Attachment[]> {
  // Keyed by the Message-ID's hash: a redelivery overwrites the same keys with the same bytes.
  const folder = `${STAGED_PREFIX}${o.channelId}/${await sha256Hex(o.platformMessageId)}`;
  const out: Attachment[] = [];
  for (const [i, part] of parts.entries()) {
    const bytes = bytesOf(part.content);
    const attachment: Attachment = { type: part.mimeType, size: bytes.byteLength, ...(part.filename ? { name: part.filename } : {}) };
    const check = checkBeforeDownload(attachment, o.limits);
    if (o.bucket && check.ok && check.kind !== "other") {
      const key = `${folder}/${i}`;
      try {
        await o.bucket.put(key, bytes, { httpMetadata: { contentType: part.mimeType } });
        attachment.url = `${REFERENCE}${key}`;
      } catch (err) {
        console.error(JSON.stringify({ msg: "email attachment not staged", key, error: err instanceof Error ? err.message : String(err) }));
      }
    }
    out.push(attachment);
  }
  return out;
}

const EMAIL_AREA: StagingArea = {
  prefix: STAGED_PREFIX,
  reference: REFERENCE,
  notStaged: "the attachment was not kept with the message",
  noBucket: "no media bucket to read the attachment from",
  gone: "the attachment is no longer kept",
};

/** The adapter's `fetchAttachment`: a staged part of this channel's mail, at most `maxBytes`. */
export function fetchStagedPart(attachment: Attachment, ctx: { channelId: string; stagedFiles?: StagedFiles }, maxBytes: number): Promise<FetchedAttachment> {
  return readStagedFile(EMAIL_AREA, attachment, ctx, maxBytes);
}

/** How long staged parts are kept (the shared staging period). */
export const STAGED_TTL_MS = STAGED_FILE_TTL_MS;

/** Run by the Cron heartbeat: deletes staged parts older than STAGED_TTL_MS. */
export function sweepStagedParts(bucket: SweptBucket, now: number): Promise<number> {
  return sweepStagedFiles(bucket, STAGED_PREFIX, now);
}
