/**
 * Signal attachments on the bridge: signal-cli downloads and decrypts each one into its
 * attachments folder, named by the attachment's `id`, and describes it in the envelope
 * (`dataMessage.attachments[]`: `contentType`, `filename`, `id`, `size`; signal-cli's
 * JsonAttachment). The bytes are read only from that folder: the id must be a plain file name,
 * the file must be a regular file inside the folder (no symlink followed) and within the limit.
 * They are then handed to the gateway like any bridge channel's files (bridge/src/media-upload.ts).
 */
import { constants, closeSync, fstatSync, openSync, readSync, realpathSync } from "node:fs";
import { join } from "node:path";
import type { BridgeInboundMessage } from "../../../../src/protocol/bridge";
import type { InboundFile } from "../../inbound-outbox";
import { wantedBytes } from "../shared/media";

type Attachment = NonNullable<BridgeInboundMessage["attachments"]>[number];

export interface SignalAttachment {
  contentType?: string;
  filename?: string | null;
  id?: string;
  size?: number | null;
  /** Set by signal-cli versions that report it; Signal's own voice notes are `audio/aac` either way. */
  voiceNote?: boolean;
}

/** signal-cli's attachment ids: letters, digits, `-`, `_`, `.` (the stored name may have an extension), never a path. */
const SAFE_ID = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,199}$/;

export function describeSignalAttachments(list: readonly SignalAttachment[]): Attachment[] {
  return list.slice(0, 10).map((a) => {
    const type = typeof a.contentType === "string" && /^[\w.+-]+\/[\w.+-]+$/.test(a.contentType) ? a.contentType.toLowerCase() : "application/octet-stream";
    return {
      type,
      ...(a.filename ? { name: a.filename.slice(0, 200) } : {}),
      ...(typeof a.size === "number" && Number.isSafeInteger(a.size) && a.size >= 0 ? { size: a.size } : {}),
      ...(a.voiceNote ? { voice: true } : {}),
    };
  });
}

/** The bytes of the attachments the model would read, from signal-cli's folder; others stay described. */
export function readSignalAttachments(
  list: readonly SignalAttachment[],
  described: readonly Attachment[],
  dir: string,
  warn: (msg: string, detail: Record<string, unknown>) => void,
): InboundFile[] {
  const files: InboundFile[] = [];
  described.forEach((attachment, index) => {
    const maxBytes = wantedBytes(attachment);
    const id = list[index]?.id;
    if (maxBytes === null || !id) return;
    const read = readFromFolder(dir, id, maxBytes);
    if (read.ok) files.push({ index, bytes: read.bytes });
    else warn("signal attachment not read", { id, error: read.error });
  });
  return files;
}

function readFromFolder(dir: string, id: string, maxBytes: number): { ok: true; bytes: Uint8Array } | { ok: false; error: string } {
  if (!SAFE_ID.test(id) || id.includes("..")) return { ok: false, error: "not a plain attachment id" };
  let root: string;
  try {
    root = realpathSync(dir);
  } catch {
    return { ok: false, error: `no attachments folder at ${dir} (set SIGNAL_CLI_ATTACHMENTS_DIR)` };
  }
  let fd: number;
  try {
    // O_NOFOLLOW: a symlink planted under the id is refused, not followed out of the folder.
    fd = openSync(join(root, id), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    return { ok: false, error: (err as NodeJS.ErrnoException).code ?? "cannot open" };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { ok: false, error: "not a regular file" };
    if (stat.size > maxBytes) return { ok: false, error: "over the limit" };
    const bytes = new Uint8Array(stat.size);
    let offset = 0;
    while (offset < bytes.length) {
      const n = readSync(fd, bytes, offset, bytes.length - offset, offset);
      if (n === 0) break;
      offset += n;
    }
    return { ok: true, bytes: bytes.subarray(0, offset) };
  } finally {
    closeSync(fd);
  }
}
