/**
 * Which platform message each streamed reply grows in (docs/streaming.md, bridge channels), on
 * disk: written the moment the platform names the first partial message, before anything else
 * happens, so the finished reply (the reply frame with the same id) edits that message instead
 * of posting a second one, also after the bridge restarts or reconnects. An entry stays until it
 * is old: the delivered log (delivered-log.ts) is what says a reply is done.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { readJsonFile, writeFileDurably } from "./durable-file";

/** Far longer than a turn runs and a reply waits in the gateway's queue (its retries, a bridge away for a day). */
export const LIVE_REPLY_KEEP_MS = 3 * 24 * 3600_000;

export interface LiveReplyEntry {
  channelId: string;
  /** The platform's id of the partial message (a Matrix event id). */
  messageId: string;
  /** When it was posted (ms). */
  at: number;
  /** The message can no longer be edited (deleted, say): the finished reply is posted instead. */
  gone?: boolean;
}

export class LiveReplyLog {
  private readonly file: string;
  private readonly entries: Map<string, LiveReplyEntry>;

  constructor(dataDir: string, nowMs = Date.now()) {
    mkdirSync(dataDir, { recursive: true });
    this.file = join(dataDir, "live-replies.json");
    const stored = readJsonFile<Record<string, LiveReplyEntry>>(this.file) ?? {};
    this.entries = new Map();
    for (const [replyId, entry] of Object.entries(stored)) {
      // Every field in doubt: a damaged entry is dropped (its reply is then posted, not lost).
      if (!entry || typeof entry.channelId !== "string" || typeof entry.messageId !== "string" || typeof entry.at !== "number") continue;
      if (entry.at < nowMs - LIVE_REPLY_KEEP_MS) continue;
      this.entries.set(replyId, { channelId: entry.channelId, messageId: entry.messageId, at: entry.at, ...(entry.gone === true ? { gone: true } : {}) });
    }
  }

  get(replyId: string): LiveReplyEntry | undefined {
    return this.entries.get(replyId);
  }

  /**
   * Remembers the message (or that it is gone). On a full disk the entry is kept in memory and
   * the error returned: only a restart before the reply is finished could then post it again.
   */
  set(replyId: string, entry: LiveReplyEntry): Error | null {
    this.entries.set(replyId, entry);
    const cutoff = Date.now() - LIVE_REPLY_KEEP_MS;
    for (const [id, e] of this.entries) if (e.at < cutoff) this.entries.delete(id);
    try {
      writeFileDurably(this.file, JSON.stringify(Object.fromEntries(this.entries)));
      return null;
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  }
}
