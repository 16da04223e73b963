/**
 * How far the iMessage channel has read, on disk: the `dateCreated` (ms) of the newest message
 * it handled. The poller asks BlueBubbles for messages after it, so a restarted bridge picks up
 * what arrived while it was down. It moves only once a message is in the bridge's outbox; a
 * crash in between reads the message again, and its guid dedupes that on the gateway.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { readJsonFile, writeFileDurably } from "../../durable-file";

export class MessageCursor {
  private readonly file: string;
  private value: number | null;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.file = join(dataDir, "imessage-cursor.json");
    this.value = this.read();
  }

  /** The newest handled dateCreated, or null before the first start. */
  get at(): number | null {
    return this.value;
  }

  /** Moves to `dateCreated` if that is newer, and writes it down. */
  advance(dateCreated: number): void {
    if (this.value !== null && dateCreated <= this.value) return;
    this.value = dateCreated;
    writeFileDurably(this.file, JSON.stringify({ dateCreated }));
  }

  private read(): number | null {
    const v = readJsonFile<{ dateCreated: unknown }>(this.file)?.dateCreated;
    return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : null;
  }
}
