/**
 * E-mail attachments as media. Unlike a chat platform, mail carries the file bytes inside the
 * message and keeps no copy to download later, so the Worker's `email` handler (stage 1,
 * workers/email.ts) stages each attachment the model could read in the R2 bucket before it
 * acknowledges the message, and names it with an `email-part:` reference; when the turn runs
 * (stage 7, src/agent/media.ts) the adapter's `fetchAttachment` reads it back, capped, through
 * the context's `stagedFiles`. Files the model never reads (zip, video) and files already over
 * their limit are not staged: the turn names or refuses them from their declared type and size.
 * Staged copies are swept by the heartbeat after a day (sweepStagedParts, below); the
 * file kept for the conversation view is the one media.ts stores under `media/`.
 */
import type { Attachment as MailAttachment } from "postal-mime";
import { sha256Hex } from "../../crypto/hmac";
import { checkBeforeDownload, humanSize, type MediaLimits } from "../shared/media-limits";
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

/** The adapter's `fetchAttachment`: a staged part of this channel's mail, at most `maxBytes`. */
export async function fetchStagedPart(
  attachment: Attachment,
  ctx: { channelId: string; stagedFiles?: StagedFiles },
  maxBytes: number,
): Promise<FetchedAttachment> {
  const key = attachment.url?.startsWith(REFERENCE) ? attachment.url.slice(REFERENCE.length) : "";
  // Only this channel's own staged parts: a reference cannot reach another channel's files.
  if (!key.startsWith(`${STAGED_PREFIX}${ctx.channelId}/`) || key.includes(".."))
    return { ok: false, reason: "unavailable", error: "the attachment was not kept with the message" };
  if (!ctx.stagedFiles) return { ok: false, reason: "unavailable", error: "no media bucket to read the attachment from" };
  const object = await ctx.stagedFiles.get(key);
  if (!object) return { ok: false, reason: "unavailable", error: "the attachment is no longer kept" };
  if (object.size > maxBytes) {
    await object.body?.cancel();
    return { ok: false, reason: "too_large", size: object.size, error: `the file is ${humanSize(object.size)}, over the ${humanSize(maxBytes)} limit` };
  }
  const bytes = new Uint8Array(await object.arrayBuffer());
  return { ok: true, bytes, mediaType: object.httpMetadata?.contentType ?? attachment.type };
}

/** Staged parts wait for their turn, which runs within minutes; a day leaves room for retries. */
export const STAGED_TTL_MS = 86_400_000;
/** Keys deleted per listing page (R2 lists and deletes up to 1,000 at once). */
const SWEEP_PAGE = 500;
/** Listing pages read per heartbeat: a day of staged mail is small, and the rest waits a minute. */
const SWEEP_PAGES = 10;

/** The slice of an R2 bucket the heartbeat's sweep uses. */
export interface StagedBucket {
  list(options: { prefix: string; cursor?: string; limit?: number }): Promise<{
    objects: { key: string; uploaded: Date }[];
    truncated: boolean;
    cursor?: string;
  }>;
  delete(keys: string[]): Promise<void>;
}

/** Run by the Cron heartbeat: deletes staged parts older than STAGED_TTL_MS. Keys list by name, not age, so it pages through. */
export async function sweepStagedParts(bucket: StagedBucket, now: number): Promise<number> {
  let deleted = 0;
  let cursor: string | undefined;
  for (let page = 0; page < SWEEP_PAGES; page++) {
    const listed = await bucket.list({ prefix: STAGED_PREFIX, limit: SWEEP_PAGE, ...(cursor ? { cursor } : {}) });
    const old = listed.objects.filter((o) => o.uploaded.getTime() < now - STAGED_TTL_MS).map((o) => o.key);
    if (old.length) await bucket.delete(old);
    deleted += old.length;
    if (!listed.truncated || !listed.cursor) break;
    cursor = listed.cursor;
  }
  return deleted;
}
