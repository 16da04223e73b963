/**
 * Files attached to Mattermost posts (stage 1 names them, stage 7 downloads them). A post lists
 * its files as `file_ids`; the WebSocket's `posted` event and fetched posts also carry their
 * infos in `metadata.files` (`id`, `name`, `extension`, `size`, `mime_type`), while an outgoing
 * webhook carries only the ids, so their infos are looked up with `GET /api/v4/files/{id}/info`.
 * Each becomes an attachment `mattermost-file:<id>`, downloaded with `GET /api/v4/files/{id}` and
 * the bot token, always from the channel's configured server (the reference holds an id, never a
 * URL, so the token cannot be sent anywhere else). Slash commands carry no files.
 * https://api.mattermost.com/#tag/files
 */
import * as z from "zod";
import { downloadCapped } from "../shared/media-download";
import type { Attachment, FetchedAttachment } from "../shared/types";
import { type MattermostClient, mattermostCall } from "./api";

export const MATTERMOST_FILE_SCHEME = "mattermost-file:";
/** Mattermost lets a post hold at most 10 files. */
export const MAX_POST_FILES = 10;

const fileId = z.string().regex(/^[a-z0-9]{26}$/);

/** The FileInfo fields this channel reads. */
export const fileInfoSchema = z.looseObject({
  id: fileId,
  post_id: z.string().optional(),
  name: z.string().max(500).optional(),
  extension: z.string().max(50).optional(),
  size: z.number().int().nonnegative().optional(),
  mime_type: z.string().max(200).optional(),
  delete_at: z.number().optional(),
});
export type MattermostFileInfo = z.infer<typeof fileInfoSchema>;

export interface PostFiles {
  /** `[file: name]` markers for the text. */
  notes: string[];
  attachments: Attachment[];
}

/** What the model is told of each file and where its bytes are. */
export function filesOf(infos: readonly MattermostFileInfo[]): PostFiles {
  const notes: string[] = [];
  const attachments: Attachment[] = [];
  for (const info of infos.slice(0, MAX_POST_FILES)) {
    if (info.delete_at) continue;
    const name = (info.name || `file.${info.extension ?? "bin"}`).slice(0, 200);
    notes.push(`[file: ${name}]`);
    attachments.push({
      // The bridge protocol takes types of up to 100 characters; real ones are far shorter.
      type: info.mime_type && info.mime_type.length <= 100 ? info.mime_type : "application/octet-stream",
      url: `${MATTERMOST_FILE_SCHEME}${info.id}`,
      name,
      ...(info.size !== undefined ? { size: info.size } : {}),
    });
  }
  return { notes, attachments };
}

/** The ids an outgoing webhook lists: a comma-separated string (JSON or form), or an array. */
export function fileIdsOf(value: unknown): string[] {
  const raw = Array.isArray(value) ? value : typeof value === "string" ? value.split(",") : [];
  return [...new Set(raw.map((v) => (typeof v === "string" ? v.trim() : "")).filter((v) => fileId.safeParse(v).success))].slice(0, MAX_POST_FILES);
}

/**
 * The infos of a webhook's files, looked up with the bot token; only files of that post (a
 * token holder cannot point the bot at other files it may read). A file that cannot be looked up
 * is left out and counted in `missing`, so the text can still say a file came.
 */
export async function lookUpFileInfos(
  client: MattermostClient,
  ids: readonly string[],
  postId: string,
): Promise<{ infos: MattermostFileInfo[]; missing: number }> {
  const found = await Promise.all(
    ids.map(async (id) => {
      try {
        const res = await mattermostCall(client, "GET", `/files/${id}/info`);
        if (!res.ok) {
          await res.body?.cancel();
          return null;
        }
        const info = fileInfoSchema.safeParse(await res.json());
        return info.success && info.data.id === id && (!info.data.post_id || info.data.post_id === postId) ? info.data : null;
      } catch {
        return null;
      }
    }),
  );
  const infos = found.filter((i): i is MattermostFileInfo => i !== null);
  return { infos, missing: ids.length - infos.length };
}

/** The adapters' `fetchAttachment`: one file from the configured server, with the bot token, at most `maxBytes`. */
export async function fetchMattermostFile(client: MattermostClient, attachment: Attachment, maxBytes: number): Promise<FetchedAttachment> {
  const id = attachment.url?.startsWith(MATTERMOST_FILE_SCHEME) ? attachment.url.slice(MATTERMOST_FILE_SCHEME.length) : "";
  if (!fileId.safeParse(id).success) return { ok: false, reason: "unavailable", error: "not a Mattermost file" };
  return downloadCapped({
    fetch: client.fetch,
    url: `${client.serverUrl.replace(/\/$/, "")}/api/v4/files/${id}`,
    headers: { authorization: `Bearer ${client.botToken}` },
    maxBytes,
    platform: "Mattermost",
    fallbackType: attachment.type,
  });
}
