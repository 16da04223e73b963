/**
 * How far the bridge has read, on disk, so a restarted bridge asks the relays for exactly what
 * it missed: the newest handled created_at per stream, and the ids of events handled within the
 * re-read window (the same event comes from every relay, and again after a restart). A gift wrap
 * is back-dated by up to two days (NIP-17), so its stream is re-read from two days before the
 * newest wrap handled and the ids dedupe it. An event is marked handled only after its message is
 * in the bridge's outbox; a crash in between re-reads it, and the gateway dedupes its message id.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { readJsonFile, writeFileDurably } from "../../durable-file";

/** NIP-17: wraps and seals carry a created_at up to two days in the past. */
export const GIFT_WRAP_BACKDATE_S = 2 * 24 * 3600;
/** Slack for clocks that disagree between senders, relays and this machine. */
export const CLOCK_SKEW_S = 10 * 60;
/** Ids kept at most; past this the oldest go first (they are the least likely to come again). */
const MAX_SEEN_IDS = 20_000;

export type Stream = "wrap" | "legacy";

interface State {
  /** Messages written before this (unix seconds) predate the channel and are not answered. */
  startedAt: number;
  newest: Record<Stream, number>;
  /** Event id → its created_at. */
  seen: Record<string, number>;
}

export class NostrCursor {
  private readonly file: string;
  private readonly state: State;

  constructor(dataDir: string, nowSeconds = Math.floor(Date.now() / 1000)) {
    mkdirSync(dataDir, { recursive: true });
    this.file = join(dataDir, "nostr-cursor.json");
    this.state = this.read() ?? { startedAt: nowSeconds, newest: { wrap: 0, legacy: 0 }, seen: {} };
    if (!existsSync(this.file)) this.write();
  }

  /** Messages written before the channel first started are history, not questions. */
  get startedAt(): number {
    return this.state.startedAt;
  }

  /** The `since` of a (re)subscription to `stream`. */
  since(stream: Stream): number {
    const from = Math.max(this.state.newest[stream], this.state.startedAt);
    return Math.max(0, from - (stream === "wrap" ? GIFT_WRAP_BACKDATE_S : 0) - CLOCK_SKEW_S);
  }

  seen(id: string): boolean {
    return id in this.state.seen;
  }

  /** Records a handled event (after its message, if any, is in the outbox). */
  handled(stream: Stream, id: string, createdAt: number): void {
    this.state.seen[id] = createdAt;
    // A created_at far in the future would move `since` past real messages: only trust it up to now.
    const plausible = Math.min(createdAt, Math.floor(Date.now() / 1000) + CLOCK_SKEW_S);
    if (plausible > this.state.newest[stream]) this.state.newest[stream] = plausible;
    this.prune();
    this.write();
  }

  /** Ids older than both re-read windows can never be asked for again. */
  private prune(): void {
    const oldest = Math.min(this.since("wrap"), this.since("legacy"));
    let ids = Object.entries(this.state.seen).filter(([, at]) => at >= oldest);
    if (ids.length > MAX_SEEN_IDS) ids = ids.sort((a, b) => b[1] - a[1]).slice(0, MAX_SEEN_IDS);
    this.state.seen = Object.fromEntries(ids);
  }

  private write(): void {
    writeFileDurably(this.file, JSON.stringify(this.state));
  }

  private read(): State | null {
    const v = readJsonFile<State>(this.file);
    if (
      !v ||
      typeof v.startedAt !== "number" ||
      typeof v.newest?.wrap !== "number" ||
      typeof v.newest.legacy !== "number" ||
      typeof v.seen !== "object" ||
      v.seen === null
    )
      return null;
    return { startedAt: v.startedAt, newest: { wrap: v.newest.wrap, legacy: v.newest.legacy }, seen: v.seen };
  }
}
