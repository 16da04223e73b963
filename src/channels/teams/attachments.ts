/**
 * The files of a Teams message activity (stage 1, before the turn downloads them in media.ts):
 * - pictures pasted into a message (personal chats, group chats, channels): an `image/*`
 *   attachment whose `contentUrl` is on the Bot Connector (`{serviceUrl}/v3/attachments/...`),
 *   fetched with the bot token → `teams-image:<contentUrl>`;
 * - files sent to the bot in a personal chat (manifest `supportsFiles`): a
 *   `application/vnd.microsoft.teams.file.download.info` attachment whose `content.downloadUrl` is
 *   a short-lived pre-authenticated OneDrive/SharePoint link, fetched with no token →
 *   `teams-file:<downloadUrl>`; Teams gives the extension (`fileType`), not a media type or size.
 * The `text/html` attachment that repeats the message (with `<img>` tags) and cards are skipped.
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4#receive-files-in-personal-chat
 */
import * as z from "zod";
import type { Attachment } from "../shared/types";

export const TEAMS_IMAGE_SCHEME = "teams-image:";
export const TEAMS_FILE_SCHEME = "teams-file:";
export const FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info";

const MAX_URL = 8000;

const imageSchema = z.looseObject({
  contentType: z.string().regex(/^image\/[\w.+*-]+$/i),
  contentUrl: z.url({ protocol: /^https?$/ }).max(MAX_URL),
  name: z.string().max(500).optional(),
});

const fileSchema = z.looseObject({
  contentType: z.literal(FILE_DOWNLOAD_INFO),
  name: z.string().max(500).optional(),
  content: z.looseObject({
    downloadUrl: z.url({ protocol: /^https?$/ }).max(MAX_URL),
    fileType: z.string().max(20).optional(),
    uniqueId: z.string().max(200).optional(),
  }),
});

/** Media types by the extension Teams reports; anything else is named to the model, not opened. */
const TYPES_BY_EXTENSION: Record<string, string> = {
  pdf: "application/pdf",
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  tsv: "text/tab-separated-values",
  json: "application/json",
  xml: "application/xml",
  yaml: "application/yaml",
  yml: "application/yaml",
  html: "text/html",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  heic: "image/heic",
  tif: "image/tiff",
  tiff: "image/tiff",
  mp3: "audio/mpeg",
  m4a: "audio/mp4",
  wav: "audio/wav",
  ogg: "audio/ogg",
  zip: "application/zip",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  mp4: "video/mp4",
};

export function mediaTypeOfExtension(fileType: string | undefined, name: string | undefined): string {
  const ext = (fileType ?? name?.split(".").at(-1) ?? "").replace(/^\./, "").toLowerCase();
  return TYPES_BY_EXTENSION[ext] ?? "application/octet-stream";
}

/** `image/*` is what Teams declares for a pasted picture; the bytes decide the real type after download. */
function declaredImageType(contentType: string): string {
  const type = contentType.toLowerCase();
  return type === "image/*" ? "image/png" : type;
}

export function teamsAttachments(raw: readonly unknown[] | undefined): { attachments: Attachment[]; notes: string[] } {
  const attachments: Attachment[] = [];
  const notes: string[] = [];
  for (const item of raw ?? []) {
    const image = imageSchema.safeParse(item);
    if (image.success) {
      notes.push("[image]");
      attachments.push({
        type: declaredImageType(image.data.contentType),
        url: `${TEAMS_IMAGE_SCHEME}${image.data.contentUrl}`,
        ...(image.data.name ? { name: image.data.name } : {}),
      });
      continue;
    }
    const file = fileSchema.safeParse(item);
    if (file.success) {
      const name = file.data.name ?? `file.${file.data.content.fileType ?? "bin"}`;
      notes.push(`[file: ${name}]`);
      attachments.push({ type: mediaTypeOfExtension(file.data.content.fileType, name), url: `${TEAMS_FILE_SCHEME}${file.data.content.downloadUrl}`, name });
    }
    // text/html (the message again, with <img> tags pointing at the same pictures), cards, mentions: nothing to read.
  }
  return { attachments, notes };
}
