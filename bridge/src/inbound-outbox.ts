/**
 * Messages received on a platform that the Worker has not acknowledged yet, one file each
 * on disk. A message is written here before anything else happens to it, so a bridge killed
 * at any moment re-sends it after restart; the Worker dedupes on its platform message id.
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

  constructor(dataDir: string) {
    this.dir = join(dataDir, "outbox");
    mkdirSync(this.dir, { recursive: true });
  }

  add(channelId: string, message: BridgeInboundMessage): OutboxEntry {
    const id = `${Date.now().toString(36).padStart(9, "0")}-${process.pid.toString(36)}-${(this.seq++).toString(36).padStart(4, "0")}`;
    const entry = { id, channelId, message };
    writeFileDurably(join(this.dir, `${id}.json`), JSON.stringify(entry));
    return entry;
  }

  /** Everything not yet acknowledged, oldest first. */
  list(): OutboxEntry[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => JSON.parse(readFileSync(join(this.dir, f), "utf8")) as OutboxEntry);
  }

  remove(id: string): void {
    if (!/^[a-z0-9-]+$/.test(id)) return;
    rmSync(join(this.dir, `${id}.json`), { force: true });
    syncDir(this.dir);
  }
}
