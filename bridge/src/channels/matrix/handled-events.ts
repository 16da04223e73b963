/**
 * Which Matrix events the bridge has handled, on disk, so a restarted bridge answers nothing
 * twice: the SDK's first sync after a start replays each room's recent timeline, and every
 * event in it that was already handled is skipped here. Events older than the channel's first
 * start are history, not questions. An event is marked handled only after its message is in
 * the bridge's outbox (a crash in between replays it; the gateway dedupes its message id).
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { readJsonFile, writeFileDurably } from "../../durable-file";

/** Slack for clocks that disagree between the homeserver and this machine. */
export const CLOCK_SKEW_MS = 10 * 60_000;
/** Older events than this never come back in a first sync's timeline worth answering. */
const KEEP_MS = 14 * 24 * 3600_000;
const MAX_IDS = 20_000;

interface State {
  /** Events sent before this (ms since the epoch) predate the channel and are not answered. */
  startedAt: number;
  /** Event id → its origin_server_ts. */
  handled: Record<string, number>;
}

export class HandledEvents {
  private readonly file: string;
  private readonly state: State;

  constructor(dataDir: string, nowMs = Date.now()) {
    mkdirSync(dataDir, { recursive: true });
    this.file = join(dataDir, "matrix-handled.json");
    this.state = this.read() ?? { startedAt: nowMs, handled: {} };
    if (!existsSync(this.file)) this.write();
  }

  /** Why an event is not to be handled, or null. */
  skip(eventId: string, sentAt: number): string | null {
    if (eventId in this.state.handled) return "already handled";
    if (sentAt < this.state.startedAt - CLOCK_SKEW_MS) return "sent before the channel started";
    return null;
  }

  has(eventId: string): boolean {
    return eventId in this.state.handled;
  }

  mark(eventId: string, sentAt: number): void {
    this.state.handled[eventId] = sentAt;
    const oldest = Date.now() - KEEP_MS;
    let entries = Object.entries(this.state.handled).filter(([, at]) => at >= oldest);
    if (entries.length > MAX_IDS) entries = entries.sort((a, b) => b[1] - a[1]).slice(0, MAX_IDS);
    this.state.handled = Object.fromEntries(entries);
    this.write();
  }

  private write(): void {
    writeFileDurably(this.file, JSON.stringify(this.state));
  }

  private read(): State | null {
    const v = readJsonFile<State>(this.file);
    if (!v || typeof v.startedAt !== "number" || typeof v.handled !== "object" || v.handled === null) return null;
    return { startedAt: v.startedAt, handled: v.handled };
  }
}
