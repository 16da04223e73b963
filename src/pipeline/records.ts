/**
 * What each message leaves in D1 for the dashboard and the API: the inbound row with the
 * pipeline's outcome, the session, the agent run, the reply, and the audit events. All ids
 * are derived from the inbox id, and every insert ignores conflicts, so writing a record
 * twice (an alarm retried after a crash) changes nothing.
 */
import { eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { RunRecord } from "../agent/types";
import type { Db } from "../db/client";
import { chunked } from "../db/chunked";
import { eventStatements, type FeedEvent } from "../db/feed-events";
import { sessionId } from "../objects/session-id";
import { apiCalls, channels, mediaFiles, messages, runs, sessions } from "../db/schema";

export type InboundOutcome = "accepted" | "rate_limited" | "unpaired" | "paired" | "not_allowed" | "disabled" | "pairing_failed" | "over_budget" | "failed";

export interface MessageRecord {
  at: number;
  channelId: string;
  senderId: string;
  senderName?: string;
  conversationId?: string;
  inbound: { id: string; platformMessageId: string; text: string; outcome: InboundOutcome };
  /** The reply or notice, when one is sent. */
  outbound?: { id: string; text: string; kind: "reply" | "notice" };
  run?: RunRecord;
  events: FeedEvent[];
  /** One row per model request made for this message (src/agent/pipeline-turn.ts). */
  apiCalls?: (typeof apiCalls.$inferInsert)[];
  /** One row per attached file (src/agent/media.ts). */
  media?: (typeof mediaFiles.$inferInsert)[];
}

/** How the reply of a recorded message went, when it was tried before the record was written. */
export interface DeliveryOutcome {
  status: "sent" | "failed" | "retrying";
  attempts: number;
  error?: string;
  at: number;
}

export interface RecordOptions {
  /** The reply's delivery, folded into the run row (no later update); null while it has not been tried. */
  delivery?: DeliveryOutcome | null;
  /** Further events to insert with the record's (the delivery's). */
  extraEvents?: FeedEvent[];
  /** Bump the channel's last-message time (the caller limits how often). */
  touchChannel?: boolean;
}

/**
 * One message's record as few statements as possible: the inbound and outbound message in one
 * insert, the run (with its delivery when known), the model calls in one insert, every event in
 * one insert, and the session.
 */
export function messageStatements(db: Db, r: MessageRecord, options: RecordOptions = {}): [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] {
  const sid = sessionId(r.channelId, r.senderId);
  const conversationId = r.conversationId ?? null;
  const runId = r.run?.id ?? null;
  const rows: (typeof messages.$inferInsert)[] = [
    {
      id: r.inbound.id,
      channelId: r.channelId,
      senderId: r.senderId,
      conversationId,
      direction: "in",
      platformMessageId: r.inbound.platformMessageId,
      text: r.inbound.text,
      outcome: r.inbound.outcome,
      runId,
      createdAt: r.at,
    },
  ];
  if (r.outbound) {
    rows.push({
      id: r.outbound.id,
      channelId: r.channelId,
      senderId: r.senderId,
      conversationId,
      direction: "out",
      platformMessageId: null,
      text: r.outbound.text,
      outcome: r.outbound.kind,
      runId,
      createdAt: r.at,
    });
  }
  const stmts: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] = [db.insert(messages).values(rows).onConflictDoNothing()];
  if (options.touchChannel) stmts.push(db.update(channels).set({ lastMessageAt: r.at }).where(eq(channels.id, r.channelId)));
  if (r.inbound.outcome === "accepted") {
    stmts.push(
      db
        .insert(sessions)
        .values({
          id: sid,
          channelId: r.channelId,
          senderId: r.senderId,
          senderName: r.senderName ?? null,
          status: "active",
          messageCount: r.outbound ? 2 : 1,
          createdAt: r.at,
          lastActivityAt: r.at,
        })
        .onConflictDoUpdate({
          target: sessions.id,
          set: {
            status: "active",
            lastActivityAt: r.at,
            messageCount: sql`${sessions.messageCount} + ${r.outbound ? 2 : 1}`,
            ...(r.senderName ? { senderName: r.senderName } : {}),
          },
        }),
    );
  }
  if (r.run) {
    const u = r.run.usage;
    const d = options.delivery;
    const settled = d && d.status !== "retrying" ? d.status : null;
    stmts.push(
      db
        .insert(runs)
        .values({
          id: r.run.id,
          channelId: r.channelId,
          senderId: r.senderId,
          sessionId: sid,
          messageId: r.inbound.id,
          status: r.run.status,
          model: r.run.model,
          inputTokens: u.inputTokens,
          outputTokens: u.outputTokens,
          costUsd: u.costUsd,
          latencyMs: r.run.latencyMs,
          error: r.run.error ?? null,
          deliveryStatus: settled ?? "pending",
          deliveryAttempts: d?.attempts ?? 0,
          deliveryError: d?.error ?? null,
          deliveredAt: settled === "sent" ? (d?.at ?? null) : null,
          createdAt: r.at,
        })
        .onConflictDoNothing(),
    );
  }
  for (const calls of chunked(r.apiCalls ?? [], 19)) stmts.push(db.insert(apiCalls).values(calls).onConflictDoNothing());
  for (const files of chunked(r.media ?? [], 17)) stmts.push(db.insert(mediaFiles).values(files).onConflictDoNothing());
  stmts.push(...eventStatements(db, [...r.events, ...(options.extraEvents ?? [])]));
  return stmts;
}

/** A delivery whose message was recorded earlier (a retry, a notice): the run row catches up. */
export function deliveryUpdate(db: Db, runId: string, d: DeliveryOutcome): BatchItem<"sqlite"> {
  const status = d.status === "retrying" ? "pending" : d.status;
  return db
    .update(runs)
    .set({ deliveryStatus: status, deliveryAttempts: d.attempts, deliveryError: d.error ?? null, ...(d.status === "sent" ? { deliveredAt: d.at } : {}) })
    .where(eq(runs.id, runId));
}
