/**
 * How far the Mattermost WebSocket channel has read, on disk: the create_at (server time, ms)
 * of the newest post it handled. After a reconnect or a bridge restart, posts created since
 * are fetched (catch-up.ts). The cursor moves only once a post is in the bridge's outbox, so a
 * crash in between fetches it again; the post id dedupes that on the gateway.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { readJsonFile, writeFileDurably } from "../../durable-file";

/** Posts the channel ignores move the disk copy at most this often; handled ones always do. */
const IGNORED_POST_WRITE_INTERVAL_MS = 10_000;

export class PostCursor {
  private readonly file: string;
  private value: number | null;
  private written: number | null;
  private lastWriteAt = 0;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.file = join(dataDir, "mattermost-cursor.json");
    this.value = this.read();
    this.written = this.value;
  }

  /** The newest handled create_at, or null before the channel ever connected. */
  get at(): number | null {
    return this.value;
  }

  /** Starts reading from `at` (first connection: the newest post already there is history). */
  initialise(at: number): void {
    if (this.value !== null) return;
    this.value = at;
    this.write();
  }

  /** A post created at `createAt` was handled; `important`: it went to the outbox. */
  advance(createAt: number, important: boolean): void {
    if (this.value !== null && createAt <= this.value) return;
    this.value = createAt;
    if (important || Date.now() - this.lastWriteAt >= IGNORED_POST_WRITE_INTERVAL_MS) this.write();
  }

  private write(): void {
    if (this.value === null || this.value === this.written) return;
    writeFileDurably(this.file, JSON.stringify({ createAt: this.value }));
    this.written = this.value;
    this.lastWriteAt = Date.now();
  }

  private read(): number | null {
    const v = readJsonFile<{ createAt: unknown }>(this.file)?.createAt;
    return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : null;
  }
}
