/**
 * The gateway session on disk (session id, last handled sequence number, resume URL), so a
 * restarted bridge sends Resume (op 6) instead of a fresh Identify and Discord replays what
 * was dispatched while it was away. @discordjs/ws reports a new sequence number before it
 * emits the dispatch; the disk copy only moves once the dispatch has been handled (the message
 * is in the outbox), so a crash in between replays it rather than skipping it.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { SessionInfo } from "@discordjs/ws";
import { readJsonFile, writeFileDurably } from "../../durable-file";

/** Dispatches the bridge ignores move the disk copy at most this often; handled messages always do. */
const IGNORED_DISPATCH_WRITE_INTERVAL_MS = 10_000;

export class GatewaySessionStore {
  private readonly file: string;
  /** What @discordjs/ws believes (newest sequence); the disk copy may lag behind it. */
  private live: SessionInfo | null;
  private lastWriteAt = 0;
  /** While stopping, the library's "forget the session" must not reach the disk: the next start resumes. */
  keepOnDisk = false;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.file = join(dataDir, "discord-session.json");
    this.live = this.read();
  }

  /** For @discordjs/ws' retrieveSessionInfo. */
  retrieve(): SessionInfo | null {
    return this.live;
  }

  /** For @discordjs/ws' updateSessionInfo: a new session (READY) is written at once, a cleared one removed. */
  update(info: SessionInfo | null): void {
    const newSession = info !== null && info.sessionId !== this.live?.sessionId;
    this.live = info;
    if (info === null) {
      if (!this.keepOnDisk) rmSync(this.file, { force: true });
    } else if (newSession) this.write(info);
  }

  /** A dispatch with sequence `seq` was handled. `important`: it produced a message for the gateway. */
  handled(seq: number, important: boolean): void {
    if (!this.live || seq > this.live.sequence) return;
    if (!important && Date.now() - this.lastWriteAt < IGNORED_DISPATCH_WRITE_INTERVAL_MS) return;
    this.write({ ...this.live, sequence: seq });
  }

  private write(info: SessionInfo): void {
    writeFileDurably(this.file, JSON.stringify(info));
    this.lastWriteAt = Date.now();
  }

  private read(): SessionInfo | null {
    const v = readJsonFile<SessionInfo>(this.file);
    if (!v || typeof v.sessionId !== "string" || typeof v.sequence !== "number" || typeof v.shardId !== "number" || typeof v.shardCount !== "number")
      return null;
    return { sessionId: v.sessionId, sequence: v.sequence, shardId: v.shardId, shardCount: v.shardCount, resumeURL: String(v.resumeURL ?? "") };
  }
}
