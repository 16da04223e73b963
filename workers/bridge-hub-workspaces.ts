/**
 * The BridgeHub's queue of workspace removals (docs/containers.md, "Deleting a sender"): when
 * the admin deletes a sender of a container-mode channel, the removal of their workspace volume
 * is kept here and sent on every connection until the bridge reports the volume gone. The
 * bridge refuses while a run of that sender is queued or running and retries on its own.
 */
import type { WorkspaceRemoveFrame } from "../src/protocol/container";

export function migrateWorkspaceRemovals(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS workspace_removals (
    id TEXT PRIMARY KEY, channel_id TEXT NOT NULL, sender_id TEXT NOT NULL, created_at INTEGER NOT NULL,
    UNIQUE (channel_id, sender_id)
  )`);
}

/** The frame to send now; a removal already waiting for the same sender is sent again, not doubled. */
export function queueWorkspaceRemoval(sql: SqlStorage, channelId: string, senderId: string, now: number): WorkspaceRemoveFrame {
  sql.exec(
    "INSERT OR IGNORE INTO workspace_removals (id, channel_id, sender_id, created_at) VALUES (?, ?, ?, ?)",
    `wsrm_${crypto.randomUUID()}`,
    channelId,
    senderId,
    now,
  );
  const row = sql.exec<{ id: string }>("SELECT id FROM workspace_removals WHERE channel_id = ? AND sender_id = ?", channelId, senderId).toArray()[0];
  return { t: "workspace.remove", id: row!.id, channelId, senderId };
}

/** Removals the bridge has not confirmed, oldest first: sent on every (re)connection. */
export function pendingWorkspaceRemovals(sql: SqlStorage): WorkspaceRemoveFrame[] {
  return sql
    .exec<{ id: string; channel_id: string; sender_id: string }>("SELECT id, channel_id, sender_id FROM workspace_removals ORDER BY created_at, id")
    .toArray()
    .map((r) => ({ t: "workspace.remove", id: r.id, channelId: r.channel_id, senderId: r.sender_id }));
}

export function workspaceRemoved(sql: SqlStorage, id: string): void {
  sql.exec("DELETE FROM workspace_removals WHERE id = ?", id);
}
