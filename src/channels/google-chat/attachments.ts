/**
 * The files of a Google Chat message (stage 1, before the turn downloads them in media.ts):
 * `message.attachment[]`. Content uploaded to Chat (`source` UPLOADED_CONTENT) has an
 * `attachmentDataRef.resourceName` for the media API → `google-chat-media:<resourceName>`; Chat
 * declares its `contentType` and `contentName` but no size. Google Drive files (`driveDataRef`)
 * would need the Drive API and the user's consent, so they are only named in the text.
 * `downloadUri` and `thumbnailUri` are for people in a browser: Chat apps must not use them.
 * https://developers.google.com/workspace/chat/api/reference/rest/v1/spaces.messages.attachments
 */
import * as z from "zod";
import type { Attachment } from "../shared/types";

export const CHAT_MEDIA_SCHEME = "google-chat-media:";

const attachmentSchema = z.looseObject({
  name: z.string().max(500).optional(),
  contentName: z.string().max(500).optional(),
  contentType: z.string().max(200).optional(),
  source: z.string().max(50).optional(),
  attachmentDataRef: z.looseObject({ resourceName: z.string().min(1).max(2000).optional() }).optional(),
  driveDataRef: z.looseObject({ driveFileId: z.string().max(500).optional() }).optional(),
});

export function chatAttachments(raw: readonly unknown[] | undefined): { attachments: Attachment[]; notes: string[] } {
  const attachments: Attachment[] = [];
  const notes: string[] = [];
  for (const item of raw ?? []) {
    const parsed = attachmentSchema.safeParse(item);
    if (!parsed.success) continue;
    const a = parsed.data;
    const name = a.contentName ?? "unnamed";
    const type = a.contentType || "application/octet-stream";
    const resourceName = a.attachmentDataRef?.resourceName;
    if (resourceName) {
      notes.push(`[file: ${name}]`);
      attachments.push({ type, url: `${CHAT_MEDIA_SCHEME}${resourceName}`, ...(a.contentName ? { name: a.contentName } : {}) });
    } else if (a.driveDataRef || a.source === "DRIVE_FILE") {
      notes.push(`[Google Drive file: ${name} (${type}); Drive files are not opened here]`);
    } else {
      notes.push(`[file: ${name} (${type}); it could not be downloaded]`);
    }
  }
  return { attachments, notes };
}
