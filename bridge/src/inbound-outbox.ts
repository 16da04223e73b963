/**
 * Messages received on a platform that the Worker has not acknowledged yet, one file each
 * on disk. A message is written here before anything else happens to it, so a bridge killed
 * at any moment re-sends it after restart; the Worker dedupes on its platform message id.
 * When the disk is full a message is kept in memory instead (and written as soon as space is
 * back): it still goes to the Worker, which persists it on receipt, rather than being dropped.
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
}

export class InboundOutbox {
  private readonly dir: string;
  private seq = 0;
  /** Entries that could not be written (disk full), oldest first by id. */
  private readonly unsaved = new Map<string, OutboxEntry>();

  constructor(dataDir: string) {
    this.dir = join(dataDir, "outbox");
    mkdirSync(this.dir, { recursive: true });
  }

  /** Writes the message down; `error` says it is held in memory only (disk full, I/O error). */
  add(channelId: string, message: BridgeInboundMessage): { entry: OutboxEntry; error: Error | null } {
    const id = `${Date.now().toString(36).padStart(9, "0")}-${process.pid.toString(36)}-${(this.seq++).toString(36).padStart(4, "0")}`;
    const entry = { id, channelId, message };
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
    if (this.unsaved.delete(id)) return;
    rmSync(join(this.dir, `${id}.json`), { force: true });
    syncDir(this.dir);
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
