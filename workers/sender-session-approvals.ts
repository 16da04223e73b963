/**
 * Tool approvals inside the sender's object (docs/agent.md, "Tool approvals"). A turn that stopped
 * at an "ask first" call waits here: its paused state, the message's record so far and the reply
 * route are one row of `approval_waits`, the message is `waiting` (the ones behind it too), and a
 * prompt goes to the approver. A decision (a button, the dashboard) or the deadline (the alarm)
 * settles the row; the next pass resumes the turn. Rows stay after the decision, so a second
 * press finds it decided and changes nothing.
 */
import { DEFAULT_APPROVAL_TIMEOUT_SECONDS } from "../src/agent/approval-settings";
import type { AgentSettings } from "../src/agent/settings";
import type { ApprovalDecision, PausedTurn } from "../src/agent/types";
import type { ApprovalDecider } from "../src/api/approvals";
import type { ApprovalOutcome } from "../src/channels/shared/types";

export type ApprovalRow = {
  id: string;
  inbox_id: string;
  run_id: string;
  channel_id: string;
  sender_id: string;
  /** `admin` or `sender`: who may decide in chat (the dashboard's admins always may). */
  approver_kind: "admin" | "sender";
  /** The platform id whose presses count; null when only the dashboard can decide. */
  approver_id: string | null;
  /** The waiting calls, `[{name, input}]`, as JSON (what the prompt shows). */
  tools: string;
  paused: string;
  /** The sender's object's own state for the message (record so far, reply route), as JSON. */
  pending: string;
  created_at: number;
  deadline: number;
  decision: "approved" | "denied" | "expired" | null;
  decided_by: string | null;
  decided_via: string | null;
  decided_at: number | null;
};

export function migrateApprovalWaits(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS approval_waits (
    id TEXT PRIMARY KEY, inbox_id TEXT NOT NULL, run_id TEXT NOT NULL, channel_id TEXT NOT NULL, sender_id TEXT NOT NULL,
    approver_kind TEXT NOT NULL, approver_id TEXT, tools TEXT NOT NULL, paused TEXT NOT NULL, pending TEXT NOT NULL,
    created_at INTEGER NOT NULL, deadline INTEGER NOT NULL, decision TEXT, decided_by TEXT, decided_via TEXT, decided_at INTEGER
  )`);
  sql.exec("CREATE INDEX IF NOT EXISTS approval_waits_inbox ON approval_waits(inbox_id, created_at)");
}

/** Where the prompt goes and whose presses count, from the channel's settings. */
export function approverOf(settings: AgentSettings | null, senderId: string): { kind: "admin" | "sender"; id: string | null; timeoutSeconds: number } {
  const a = settings?.approvals;
  const timeoutSeconds = a?.timeoutSeconds ?? DEFAULT_APPROVAL_TIMEOUT_SECONDS;
  if (a?.approver === "sender") return { kind: "sender", id: senderId, timeoutSeconds };
  return { kind: "admin", id: a?.adminSenderId ?? null, timeoutSeconds };
}

export function insertApprovalWait(sql: SqlStorage, row: Omit<ApprovalRow, "decision" | "decided_by" | "decided_via" | "decided_at">): void {
  sql.exec(
    `INSERT INTO approval_waits (id, inbox_id, run_id, channel_id, sender_id, approver_kind, approver_id, tools, paused, pending, created_at, deadline)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    row.id,
    row.inbox_id,
    row.run_id,
    row.channel_id,
    row.sender_id,
    row.approver_kind,
    row.approver_id,
    row.tools,
    row.paused,
    row.pending,
    row.created_at,
    row.deadline,
  );
}

/** The newest approval of a waiting message; undefined when the message waits for something else (a container). */
export function approvalWaitOf(sql: SqlStorage, inboxId: string): ApprovalRow | undefined {
  return sql.exec<ApprovalRow>("SELECT * FROM approval_waits WHERE inbox_id = ? ORDER BY created_at DESC, id DESC LIMIT 1", inboxId).toArray()[0];
}

/** When the waiting message needs the alarm: now once decided, else at the deadline. */
export function approvalWakeAt(row: ApprovalRow, now: number): number {
  return row.decision ? now : Math.max(now, row.deadline);
}

/** The decision to resume with, settling an expired wait on the way; null while it is undecided and in time. */
export function decisionToResume(sql: SqlStorage, row: ApprovalRow, now: number): { paused: PausedTurn; decision: ApprovalDecision } | null {
  let decision = row.decision;
  if (!decision) {
    if (now < row.deadline) return null;
    sql.exec("UPDATE approval_waits SET decision = 'expired', decided_by = 'timeout', decided_via = 'timeout', decided_at = ? WHERE id = ?", now, row.id);
    decision = row.decision = "expired";
    row.decided_by = row.decided_via = "timeout";
  }
  const paused = JSON.parse(row.paused) as PausedTurn;
  if (decision === "expired") return { paused, decision: { kind: "expired", afterSeconds: Math.round((row.deadline - row.created_at) / 1000) } };
  const by = row.decided_via === "dashboard" ? "admin" : row.approver_kind;
  return { paused, decision: { kind: decision, by } };
}

/** Who pressed, and where: a chat button (only the approver's presses count) or the dashboard (an admin). */
export type Decider = ApprovalDecider;

/** Applies one decision; a second one, or one from someone else, changes nothing. */
export function applyDecision(sql: SqlStorage, id: string, approve: boolean, by: Decider, now: number): { outcome: ApprovalOutcome; row?: ApprovalRow } {
  const row = sql.exec<ApprovalRow>("SELECT * FROM approval_waits WHERE id = ?", id).toArray()[0];
  if (!row) return { outcome: { kind: "unknown" } };
  if (row.decision) return { outcome: { kind: "already", decision: row.decision }, row };
  if (by.via === "chat" && (by.channelId !== row.channel_id || row.approver_id === null || by.deciderId !== row.approver_id))
    return { outcome: { kind: "refused" }, row };
  if (now >= row.deadline) {
    // The alarm has not settled it yet, but the time is up: the press is too late.
    sql.exec("UPDATE approval_waits SET decision = 'expired', decided_by = 'timeout', decided_via = 'timeout', decided_at = ? WHERE id = ?", now, row.id);
    return { outcome: { kind: "already", decision: "expired" }, row };
  }
  const decision = approve ? "approved" : "denied";
  const decidedBy = by.via === "dashboard" ? by.name : by.deciderId;
  const via = by.via === "dashboard" ? "dashboard" : by.channelType;
  sql.exec("UPDATE approval_waits SET decision = ?, decided_by = ?, decided_via = ?, decided_at = ? WHERE id = ?", decision, decidedBy, via, now, id);
  return { outcome: { kind: "decided", decision }, row: { ...row, decision, decided_by: decidedBy, decided_via: via, decided_at: now } };
}

/** The prompt's text: what the agent wants to run, with its input, and until when it waits. */
export function approvalPromptText(
  tools: { name: string; input: unknown }[],
  o: { senderName: string; forSender: boolean; timeoutSeconds: number; buttons: boolean },
): string {
  const who = o.forSender ? "I would like to" : `The agent wants to (for ${o.senderName})`;
  const calls = tools.map((t) => `• ${t.name} ${JSON.stringify(t.input).slice(0, 1500)}`).join("\n");
  const minutes = Math.max(1, Math.round(o.timeoutSeconds / 60));
  const how = o.buttons
    ? "Approve or Deny below"
    : o.forSender
      ? "Ask the gateway's admin to approve it in the dashboard"
      : "Approve or deny it in the dashboard (Approvals)";
  return `Approval needed. ${who} run:\n${calls}\n${how}; without an answer within ${minutes} min it counts as denied.`;
}
