/**
 * The BridgeHub's queue of container turns (docs/containers.md), in the hub's SQLite: a turn
 * is kept and re-sent on every connection until the bridge accepts it (it is then on the
 * bridge's disk); its result is handed to the sender's object before it is acknowledged.
 * MCP tokens stay sealed in the queue and are opened only in the frame being sent
 * (outgoingTurn in src/protocol/container-server-tools.ts).
 */
import type { ContainerTurnFrame } from "../src/protocol/container";
import { LEDGER_RETENTION_MS } from "../src/objects/ledger-retention";

/** Finished turn rows are kept this long, so a late duplicate result still finds its sender. */

export function migrateTurns(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS turns (
    id TEXT PRIMARY KEY, channel_id TEXT NOT NULL, sender_id TEXT NOT NULL, frame TEXT NOT NULL,
    created_at INTEGER NOT NULL, accepted_at INTEGER, done_at INTEGER
  )`);
}

/** The frame to send now, or null when this turn was queued before (a retried alarm). */
export function queueTurn(sql: SqlStorage, turn: ContainerTurnFrame, now: number): string | null {
  const frame = JSON.stringify(turn);
  const inserted =
    sql.exec(
      "INSERT OR IGNORE INTO turns (id, channel_id, sender_id, frame, created_at) VALUES (?, ?, ?, ?, ?)",
      turn.id,
      turn.channelId,
      turn.senderId,
      frame,
      now,
    ).rowsWritten > 0;
  return inserted ? frame : null;
}

/** Turns the bridge has not accepted yet, oldest first: sent on every (re)connection. */
export function unacceptedTurns(sql: SqlStorage): string[] {
  return sql
    .exec<{ frame: string }>("SELECT frame FROM turns WHERE accepted_at IS NULL AND done_at IS NULL ORDER BY created_at, id")
    .toArray()
    .map((r) => r.frame);
}

export function markAccepted(sql: SqlStorage, id: string, now: number): void {
  sql.exec("UPDATE turns SET accepted_at = ? WHERE id = ? AND accepted_at IS NULL", now, id);
}

export function turnSender(sql: SqlStorage, id: string): { channelId: string; senderId: string } | null {
  const row = sql.exec<{ channel_id: string; sender_id: string }>("SELECT channel_id, sender_id FROM turns WHERE id = ?", id).toArray()[0];
  return row ? { channelId: row.channel_id, senderId: row.sender_id } : null;
}

export function markDone(sql: SqlStorage, id: string, now: number): void {
  sql.exec("UPDATE turns SET done_at = ? WHERE id = ? AND done_at IS NULL", now, id);
}

export function pruneTurns(sql: SqlStorage, now: number): void {
  sql.exec("DELETE FROM turns WHERE done_at IS NOT NULL AND done_at < ?", now - LEDGER_RETENTION_MS);
}

/** The turn as it was sent (its spec says which gateway tools it was offered); null when unknown. */
export function turnFrame(sql: SqlStorage, id: string): ContainerTurnFrame | null {
  const row = sql.exec<{ frame: string }>("SELECT frame FROM turns WHERE id = ? AND done_at IS NULL", id).toArray()[0];
  return row ? (JSON.parse(row.frame) as ContainerTurnFrame) : null;
}
