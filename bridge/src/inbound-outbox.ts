/**
 * Messages received on a platform that the Worker has not acknowledged yet, one file each
 * on disk. A message is written here before anything else happens to it, so a bridge killed
 * at any moment re-sends it after restart; the Worker dedupes on its platform message id.
 * When the disk is full a message is kept in memory instead (and written as soon as space is
 * back): it still goes to the Worker, which persists it on receipt, rather than being dropped.
 * A message's files (the bytes of its attachments, for the gateway's POST /bridge/media) are
 * written beside it under `files/` and deleted once uploaded (media-upload.ts) or acknowledged.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { BridgeInboundMessage } from "../../src/protocol/bridge";
import { syncDir, writeFileDurably } from "./durable-file";

export interface OutboxEntry {
  /** Time-ordered, so re-sends keep the order messages arrived in. */
  id: string;
  channelId: string;
  message: BridgeInboundMessage;
  /** Attachments whose bytes still wait to be uploaded: `index` into `message.attachments`, the bytes in `path`. */
  files?: PendingFile[];
}

export interface PendingFile {
  index: number;
  path: string;
}

/** The bytes of one attachment as a channel hands them over, before they are written down. */
export interface InboundFile {
  /** Index into the message's `attachments`. */
  index: number;
  bytes: Uint8Array;
}

export class InboundOutbox {
  private readonly dir: string;
  private readonly filesDir: string;
  private seq = 0;
  /** Entries that could not be written (disk full), oldest first by id. */
  private readonly unsaved = new Map<string, OutboxEntry>();

  constructor(dataDir: string) {
    this.dir = join(dataDir, "outbox");
    this.filesDir = join(this.dir, "files");
    mkdirSync(this.filesDir, { recursive: true });
  }

  /** Writes the message down; `error` says it is held in memory only (disk full, I/O error). */
  add(channelId: string, message: BridgeInboundMessage, files: readonly InboundFile[] = []): { entry: OutboxEntry; error: Error | null } {
    const id = `${Date.now().toString(36).padStart(9, "0")}-${process.pid.toString(36)}-${(this.seq++).toString(36).padStart(4, "0")}`;
    const entry: OutboxEntry = { id, channelId, message };
    // The bytes are on disk before the message that refers to them; a file that cannot be written
    // leaves its attachment described only (the gateway then says it could not be downloaded).
    const pending: PendingFile[] = [];
    for (const file of files) {
      const path = join(this.filesDir, `${id}-${file.index}`);
      try {
        writeFileDurably(path, file.bytes);
        pending.push({ index: file.index, path });
      } catch {
        rmSync(`${path}.tmp-${process.pid}`, { force: true });
      }
    }
    if (pending.length) entry.files = pending;
    const error = this.write(entry);
    if (error) this.unsaved.set(id, entry);
    return { entry, error };
  }

  /** Tries again to write what the disk refused; returns how many are still only in memory. */
  retryUnsaved(): number {
    for (const entry of this.unsaved.values()) {
      if (this.write(entry)) break;
      this.unsaved.delete(entry.id);
    }
    return this.unsaved.size;
  }

  /** Everything not yet acknowledged, oldest first. */
  list(): OutboxEntry[] {
    const onDisk = readdirSync(this.dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => JSON.parse(readFileSync(join(this.dir, f), "utf8")) as OutboxEntry);
    return [...onDisk, ...this.unsaved.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  remove(id: string): void {
    if (!/^[a-z0-9-]+$/.test(id)) return;
    const files = this.unsaved.get(id)?.files ?? this.read(id)?.files ?? [];
    for (const f of files) rmSync(f.path, { force: true });
    if (this.unsaved.delete(id)) return;
    rmSync(join(this.dir, `${id}.json`), { force: true });
    syncDir(this.dir);
  }

  /** The bytes of a pending file, or null when they are gone. */
  readFile(file: PendingFile): Uint8Array | null {
    try {
      return new Uint8Array(readFileSync(file.path));
    } catch {
      return null;
    }
  }

  /**
   * Records that the entry's files were handed over (or given up): the message now carries their
   * references. Written before the bytes are deleted, so a crash in between re-uploads at worst.
   */
  settleFiles(entry: OutboxEntry, message: BridgeInboundMessage): OutboxEntry {
    const settled: OutboxEntry = { id: entry.id, channelId: entry.channelId, message };
    if (this.write(settled)) this.unsaved.set(entry.id, settled);
    else this.unsaved.delete(entry.id);
    for (const f of entry.files ?? []) rmSync(f.path, { force: true });
    return settled;
  }

  private read(id: string): OutboxEntry | null {
    try {
      return JSON.parse(readFileSync(join(this.dir, `${id}.json`), "utf8")) as OutboxEntry;
    } catch {
      return null;
    }
  }

  private write(entry: OutboxEntry): Error | null {
    const path = join(this.dir, `${entry.id}.json`);
    try {
      writeFileDurably(path, JSON.stringify(entry));
      return null;
    } catch (err) {
      // A full disk leaves the temporary file behind; it holds nothing the entry does not.
      rmSync(`${path}.tmp-${process.pid}`, { force: true });
      return err instanceof Error ? err : new Error(String(err));
    }
  }
}
