/**
 * Files in Feishu/Lark messages (stage 1 names them, stage 7 downloads them): an `image`
 * (`image_key`), a `file` (`file_key`, `file_name`), an `audio` voice message (`file_key`,
 * `duration` in ms), a `media` video (named only) and the images embedded in a `post`. Each
 * becomes an attachment `feishu-resource:<image|file>/<message_id>/<key>`, downloaded by the
 * adapter with `GET /open-apis/im/v1/messages/{message_id}/resources/{key}?type=image|file` and
 * the tenant access token; the answer is the bytes. Feishu declares no size or type in the
 * event: a file's type comes from its name, its size from the download (Content-Length, then
 * the capped read). The resource API serves at most 100 MB.
 * https://open.feishu.cn/document/server-docs/im-v1/message/events/message_content
 * https://open.feishu.cn/document/server-docs/im-v1/message/get-2
 */
import { downloadCapped } from "../shared/media-download";
import type { Attachment, FetchedAttachment } from "../shared/types";
import { type LarkClient, tenantToken, TokenError } from "./api";

export const FEISHU_RESOURCE_SCHEME = "feishu-resource:";

/** Keys are Feishu's `img_v2_...` / `file_v3_...`: letters, digits, `_` and `-`. */
const KEY = /^[\w-]{1,200}$/;
/** Feishu lets a post hold many pictures; the turn shows at most 4 anyway. */
const MAX_POST_IMAGES = 10;

/** A file's type from its name: file messages carry only the name. */
const BY_EXTENSION: Record<string, string> = {
  pdf: "application/pdf",
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  json: "application/json",
  xml: "application/xml",
  yaml: "application/yaml",
  yml: "application/yaml",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  heic: "image/heic",
  mp3: "audio/mpeg",
  m4a: "audio/mp4",
  wav: "audio/wav",
  ogg: "audio/ogg",
  opus: "audio/opus",
  mp4: "video/mp4",
  mov: "video/quicktime",
  zip: "application/zip",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
};

export function typeFromName(name: string | undefined): string {
  return BY_EXTENSION[/\.(\w+)$/.exec(name ?? "")?.[1]?.toLowerCase() ?? ""] ?? "application/octet-stream";
}

const reference = (kind: "image" | "file", messageId: string, key: string) =>
  `${FEISHU_RESOURCE_SCHEME}${kind}/${encodeURIComponent(messageId)}/${encodeURIComponent(key)}`;

const str = (value: unknown): string | undefined => (typeof value === "string" && value.length > 0 ? value : undefined);

export interface LarkFiles {
  /** Markers for the text (`[photo]`, `[file: report.pdf]`, `[voice message, 4 s]`). */
  notes: string[];
  attachments: Attachment[];
}

/** The files of an image, file, audio or media message; null for other types (text, post, ...). */
export function filesOfMessage(messageType: string, content: Record<string, unknown>, messageId: string): LarkFiles | null {
  const fileKey = str(content.file_key);
  const validKey = fileKey && KEY.test(fileKey) ? fileKey : undefined;
  switch (messageType) {
    case "image": {
      const key = str(content.image_key);
      if (!key || !KEY.test(key)) return { notes: ["[photo]"], attachments: [] };
      // The type is sniffed from the bytes once downloaded; JPEG passes the check before it.
      return { notes: ["[photo]"], attachments: [{ type: "image/jpeg", url: reference("image", messageId, key) }] };
    }
    case "file": {
      const name = str(content.file_name)?.slice(0, 200);
      const note = `[file: ${name ?? "unnamed"}]`;
      if (!validKey) return { notes: [note], attachments: [] };
      return { notes: [note], attachments: [{ type: typeFromName(name), url: reference("file", messageId, validKey), ...(name ? { name } : {}) }] };
    }
    case "audio": {
      // Voice messages recorded in Feishu are Opus; `duration` is in milliseconds.
      const ms = typeof content.duration === "number" && content.duration >= 0 ? content.duration : undefined;
      const seconds = ms !== undefined ? Math.round(ms / 1000) : undefined;
      const note = `[voice message${seconds !== undefined ? `, ${seconds} s` : ""}]`;
      if (!validKey) return { notes: [note], attachments: [] };
      return {
        notes: [note],
        attachments: [
          { type: "audio/opus", url: reference("file", messageId, validKey), voice: true, ...(seconds !== undefined ? { durationSeconds: seconds } : {}) },
        ],
      };
    }
    case "media": {
      // A video: named to the model with its type, never downloaded (the turn reads no video).
      const name = str(content.file_name)?.slice(0, 200);
      return { notes: [`[video: ${name ?? "unnamed"}]`], attachments: [{ type: typeFromName(name ?? "video.mp4"), ...(name ? { name } : {}) }] };
    }
    default:
      return null;
  }
}

/** The pictures embedded in a post's lines (`{"tag": "img", "image_key": ...}`), at most MAX_POST_IMAGES. */
export function imagesOfPost(lines: unknown[], messageId: string): Attachment[] {
  const out: Attachment[] = [];
  for (const line of lines) {
    for (const element of Array.isArray(line) ? line : []) {
      const el = element as { tag?: unknown; image_key?: unknown } | null;
      const key = el && typeof el === "object" && el.tag === "img" ? str(el.image_key) : undefined;
      if (key && KEY.test(key) && out.length < MAX_POST_IMAGES) out.push({ type: "image/jpeg", url: reference("image", messageId, key) });
    }
  }
  return out;
}

/** The adapter's `fetchAttachment`: one resource of a message, with the tenant token, at most `maxBytes`. */
export async function fetchLarkResource(client: LarkClient, attachment: Attachment, maxBytes: number): Promise<FetchedAttachment> {
  const m = /^feishu-resource:(image|file)\/([^/]+)\/([^/]+)$/.exec(attachment.url ?? "");
  if (!m) return { ok: false, reason: "unavailable", error: "not a Feishu message resource" };
  const [, type, messageId, key] = m as unknown as [string, string, string, string];
  let token: string;
  try {
    token = await tenantToken(client);
  } catch (err) {
    return { ok: false, reason: "unavailable", error: err instanceof TokenError ? err.message : "network error getting the Feishu tenant token" };
  }
  return downloadCapped({
    fetch: client.fetch,
    url: `${client.base.replace(/\/$/, "")}/open-apis/im/v1/messages/${messageId}/resources/${key}?type=${type}`,
    headers: { authorization: `Bearer ${token}` },
    maxBytes,
    platform: "Feishu",
    fallbackType: attachment.type,
  });
}
