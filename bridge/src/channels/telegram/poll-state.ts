/**
 * What the Telegram poller keeps on disk between runs: the getUpdates offset (the next
 * update_id it wants), and the webhook it stood aside for. The offset is written only after
 * every update below it is in the bridge's outbox, so a restart neither skips an update nor
 * asks Telegram for one it already has; a bot token for another bot starts afresh.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { readJsonFile, writeFileDurably } from "../../durable-file";

interface Stored {
  botId: number;
  /** The next update_id wanted: getUpdates' `offset`, which also confirms everything below it. */
  offset?: number;
  /** A webhook set after this channel switched the bot to polling: the poller waits while it is there. */
  standingAsideFor?: string;
}

export class PollState {
  private readonly file: string;
  private stored: Stored;

  constructor(dataDir: string, botId: number) {
    mkdirSync(dataDir, { recursive: true });
    this.file = join(dataDir, "telegram-poll.json");
    const previous = this.read();
    this.stored = previous?.botId === botId ? previous : { botId };
  }

  get offset(): number | undefined {
    return this.stored.offset;
  }

  get standingAsideFor(): string | undefined {
    return this.stored.standingAsideFor;
  }

  saveOffset(offset: number): void {
    if (this.stored.offset !== undefined && offset <= this.stored.offset) return;
    this.save({ ...this.stored, offset });
  }

  standAside(webhookUrl: string | undefined): void {
    if (this.stored.standingAsideFor !== webhookUrl) this.save({ ...this.stored, standingAsideFor: webhookUrl });
  }

  private save(next: Stored): void {
    writeFileDurably(this.file, JSON.stringify(next));
    this.stored = next;
  }

  private read(): Stored | undefined {
    const value = readJsonFile<Stored>(this.file);
    if (typeof value?.botId !== "number") return undefined;
    return {
      botId: value.botId,
      offset: Number.isSafeInteger(value.offset) ? value.offset : undefined,
      standingAsideFor: typeof value.standingAsideFor === "string" ? value.standingAsideFor : undefined,
    };
  }
}
