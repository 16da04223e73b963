/**
 * Where the bridge stopped reading a mailbox: the folder's UIDVALIDITY and the highest UID
 * already handed to the outbox, kept on disk. After a restart or a dropped connection the
 * bridge fetches every UID above it, so mail that arrived meanwhile is read once, and mail
 * read before is not read again (the Message-ID dedupe in the gateway covers the instant
 * between writing the outbox and moving the cursor).
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileDurably } from "../../durable-file";

export interface UidPosition {
  /** IMAP UIDVALIDITY of the folder, as a decimal string (it is a 32-bit unsigned number). */
  uidValidity: string;
  /** Highest UID handled; the next read starts above it. */
  lastUid: number;
  /** INTERNALDATE of that message (ms), to find newer mail if the folder's UIDs are ever renumbered. */
  lastInternalDate: number;
}

export class UidCursor {
  private readonly file: string;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.file = join(dataDir, "imap-cursor.json");
  }

  read(): UidPosition | null {
    if (!existsSync(this.file)) return null;
    const parsed = JSON.parse(readFileSync(this.file, "utf8")) as Partial<UidPosition>;
    if (typeof parsed.uidValidity !== "string" || typeof parsed.lastUid !== "number") return null;
    return { uidValidity: parsed.uidValidity, lastUid: parsed.lastUid, lastInternalDate: parsed.lastInternalDate ?? 0 };
  }

  write(position: UidPosition): void {
    writeFileDurably(this.file, JSON.stringify(position));
  }
}
