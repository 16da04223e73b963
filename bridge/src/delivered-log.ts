/**
 * Ids of replies already delivered on their platform, kept on disk: the Worker re-sends a
 * reply until it sees the acknowledgement, and a reply seen again is acknowledged, not resent.
 */
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { failIfDiskFull, writeFileDurably } from "./durable-file";

/** Far more than the replies the Worker can have in flight; older ids are compacted away. */
const KEEP_IDS = 20_000;

export class DeliveredLog {
  private readonly path: string;
  private readonly ids: Set<string>;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.path = join(dataDir, "delivered-replies.log");
    const lines = existsSync(this.path) ? readFileSync(this.path, "utf8").split("\n").filter(Boolean) : [];
    this.ids = new Set(lines.slice(-KEEP_IDS));
    if (lines.length > KEEP_IDS * 2) writeFileDurably(this.path, [...this.ids].join("\n") + "\n");
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /**
   * Remembers a delivered reply. If the disk is full the id is kept in memory only and the
   * error returned: the reply is still acknowledged (so the Worker stops re-sending it); only a
   * restart while the acknowledgement is lost could then repeat it.
   */
  add(id: string): Error | null {
    if (this.ids.has(id)) return null;
    this.ids.add(id);
    try {
      failIfDiskFull(this.path);
      const fd = openSync(this.path, "a", 0o600);
      try {
        appendFileSync(fd, `${id}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      return null;
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  }
}
