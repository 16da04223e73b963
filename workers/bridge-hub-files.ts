/**
 * Files the agent sends on bridge-served channels, as the BridgeHub keeps them (docs/media.md).
 * A reply frame only names its file: the bytes wait here, in the hub's SQLite (at most 512 KiB
 * per answer, under the 2 MB row limit), keyed by the reply's id, until the bridge has fetched
 * them with `GET /bridge/files/<id>` (src/api/bridge-files.ts) and acknowledged the reply, or
 * until they expire. WebSocket messages to a Durable Object are capped at 1 MiB, so the bytes
 * never travel in a frame.
 */
import type { OutboundFile } from "../src/channels/shared/types";

/** How long a queued file can be fetched; a bridge away for longer sends the line naming it instead. */
export const BRIDGE_FILE_TTL_MS = 24 * 60 * 60 * 1000;

export function migrateReplyFiles(sql: SqlStorage): void {
  sql.exec(
    `CREATE TABLE IF NOT EXISTS reply_files (id TEXT PRIMARY KEY, channel_id TEXT NOT NULL, name TEXT NOT NULL, media_type TEXT NOT NULL, bytes BLOB NOT NULL, expires_at INTEGER NOT NULL)`,
  );
}

/** Called with the reply's insert, in the same synchronous block: the frame never exists without its file. */
export function storeReplyFile(sql: SqlStorage, id: string, channelId: string, file: OutboundFile, now: number): void {
  sql.exec(
    "INSERT OR IGNORE INTO reply_files (id, channel_id, name, media_type, bytes, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
    id,
    channelId,
    file.name,
    file.mediaType,
    file.bytes.buffer.slice(file.bytes.byteOffset, file.bytes.byteOffset + file.bytes.byteLength),
    now + BRIDGE_FILE_TTL_MS,
  );
}

export type ReplyFileLookup =
  | { ok: true; channelId: string; name: string; mediaType: string; bytes: Uint8Array<ArrayBuffer> }
  /** 404: no such file, or its reply was acknowledged; 410: it expired. */
  | { ok: false; status: 404 | 410; error: string };

export function readReplyFile(sql: SqlStorage, id: string, now: number): ReplyFileLookup {
  const row = sql
    .exec<{ channel_id: string; name: string; media_type: string; bytes: ArrayBuffer; expires_at: number }>(
      "SELECT channel_id, name, media_type, bytes, expires_at FROM reply_files WHERE id = ?",
      id,
    )
    .toArray()[0];
  if (!row) return { ok: false, status: 404, error: "no file waiting for this bridge under that id (already delivered, or never queued here)" };
  if (row.expires_at <= now) return { ok: false, status: 410, error: "this file expired before the bridge fetched it" };
  return { ok: true, channelId: row.channel_id, name: row.name, mediaType: row.media_type, bytes: new Uint8Array(row.bytes) };
}

/** The reply was handled (uploaded, or the line sent instead): the bytes are no longer needed. */
export function dropReplyFile(sql: SqlStorage, id: string): void {
  sql.exec("DELETE FROM reply_files WHERE id = ?", id);
}

export function pruneReplyFiles(sql: SqlStorage, now: number): void {
  sql.exec("DELETE FROM reply_files WHERE expires_at <= ?", now);
}

export function dropAllReplyFiles(sql: SqlStorage): void {
  sql.exec("DELETE FROM reply_files");
}
